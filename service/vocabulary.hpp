// What the programs use of the core besides the operations (service.hpp):
// the kernels a user names (find_kernel_files, a kernel's config), the
// frame specs and oops lines a user pastes (frame_spec.hpp), the alias
// options, and the running kernel's /proc/kallsyms, which --live answers
// from when no debug info is found. Listed here once, so that what kas and
// kasd see of the core is one list: the build lets client/ and daemon/
// include core headers only through service/ (and core/util, the
// vocabulary of every layer).
#pragma once

#include "core/alias/policy.hpp"
#include "core/index/kernel_config.hpp"
#include "core/index/kernel_files.hpp"
#include "core/index/kernel_name.hpp"
#include "core/query/answers.hpp"
#include "core/query/frame_spec.hpp"
#include "core/query/live_kernel.hpp"
#include "core/query/query_target.hpp"
