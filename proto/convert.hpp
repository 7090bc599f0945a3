// Core types <-> wire messages: the only code that sees both.
#pragma once

#include <initializer_list>
#include <string>

#include "core/engine/engine.hpp"
#include "core/engine/engine_module.hpp"
#include "kas.pb.h"

namespace kas::wire {

void to_wire(const kas::KernelFiles& in, wire::KernelFiles& out);
// Error kInvalidArgument: a path with a NUL byte (check_paths).
[[nodiscard]] Result<kas::KernelFiles> from_wire(const wire::KernelFiles& in);
// Paths are bytes on the wire, but never hold a NUL: open(2) would stop
// there and read another file than the one named. kInvalidArgument.
[[nodiscard]] Result<void> check_paths(std::initializer_list<const std::string*> paths);
[[nodiscard]] Result<void> check_paths(const kas::KernelFiles& files);

[[nodiscard]] wire::Lto to_wire(kas::Lto in);
[[nodiscard]] kas::Lto from_wire(wire::Lto in);
void to_wire(const kas::AliasOptions& in, wire::AliasOptions& out);
// Error kInvalidArgument for a separator that is not one character.
[[nodiscard]] Result<kas::AliasOptions> from_wire(const wire::AliasOptions& in);

void to_wire(const kas::VmlinuxRequest& in, wire::VmlinuxRequest& out);
// Requests: errors kInvalidArgument (check_paths, a bad separator). The
// request's `jobs` is the answering service's to set.
[[nodiscard]] Result<kas::VmlinuxRequest> from_wire(const wire::VmlinuxRequest& in);
void to_wire(const kas::VmlinuxResult& in, wire::VmlinuxReply& out);
[[nodiscard]] kas::VmlinuxResult from_wire(const wire::VmlinuxReply& in);

void to_wire(const kas::ModuleRequest& in, wire::ModuleRequest& out);
[[nodiscard]] Result<kas::ModuleRequest> from_wire(const wire::ModuleRequest& in);
void to_wire(const kas::ModuleResult& in, wire::ModuleReply& out);
[[nodiscard]] kas::ModuleResult from_wire(const wire::ModuleReply& in);

void to_wire(const kas::CensusRequest& in, wire::CensusRequest& out);
[[nodiscard]] Result<kas::CensusRequest> from_wire(const wire::CensusRequest& in);
void to_wire(const kas::CensusResult& in, wire::CensusReply& out);
[[nodiscard]] kas::CensusResult from_wire(const wire::CensusReply& in);

void to_wire(const kas::Error& in, wire::Error& out);
// A code this build does not know (a newer peer's) reads as kInternal; the
// message is kept.
[[nodiscard]] kas::Error from_wire(const wire::Error& in);

}  // namespace kas::wire
