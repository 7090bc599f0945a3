// Where a request's paths are settled before a Service answers it.
//
// An installed kernel named by `kas module --kernel` is found in kas, as
// the questions' --kernel is (client/cli/query_options): the same files
// whichever Service answers, and errors about them before anything is read.
// Paths are made absolute against kas's working directory by the stub that
// sends a request to kasd (kasd has its own directory), and its errors are
// said back with the paths as written; in process they stay as the user
// wrote them.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "service/service.hpp"

namespace kas::service {

// `census` plus the files of the installed kernel `kernel` names (a release,
// a modules directory or a debug package root; "" = none) and `system_map`
// overriding its System.map. Errors: kInvalidArgument for two censuses
// (--kernel or --nm with a census file), the kernel's files not found.
[[nodiscard]] Result<KernelFiles> module_census_sources(KernelFiles census, const std::string& kernel,
                                                        const std::string& system_map);

// `p` absolute against this process's working directory, normalized; ""
// and "-" (stdin) as they are.
[[nodiscard]] std::string absolute_path(const std::string& p);

// The request with every path absolute (absolute_path).
[[nodiscard]] VmlinuxRequest with_absolute_paths(VmlinuxRequest request);
[[nodiscard]] ModuleRequest with_absolute_paths(ModuleRequest request);
[[nodiscard]] CensusRequest with_absolute_paths(CensusRequest request);
[[nodiscard]] LookupRequest with_absolute_paths(LookupRequest request);
[[nodiscard]] ResolveRequest with_absolute_paths(ResolveRequest request);
[[nodiscard]] ProbeRequest with_absolute_paths(ProbeRequest request);
[[nodiscard]] QueryTarget with_absolute_paths(QueryTarget target);

// The paths with_absolute_paths changes in a request, each as (sent, as
// given), the longest sent first. kasd's messages name the absolute paths it
// was sent; kas says them back as they were typed (as_given), so that an
// error reads the same through kasd as in process.
using PathSpellings = std::vector<std::pair<std::string, std::string>>;
[[nodiscard]] PathSpellings path_spellings(const VmlinuxRequest& request);
[[nodiscard]] PathSpellings path_spellings(const ModuleRequest& request);
[[nodiscard]] PathSpellings path_spellings(const CensusRequest& request);
[[nodiscard]] PathSpellings path_spellings(const LookupRequest& request);
[[nodiscard]] PathSpellings path_spellings(const ResolveRequest& request);
[[nodiscard]] PathSpellings path_spellings(const ProbeRequest& request);
// `text` with each sent path of `spellings` written as it was given.
[[nodiscard]] std::string as_given(std::string text, const PathSpellings& spellings);

}  // namespace kas::service
