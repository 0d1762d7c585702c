#pragma once
// Checks, before any work starts, that output can be written where the user asked: so a typo in
// -o fails at once with exit code 2 instead of after a long simulation. Nothing is created.
#include <filesystem>
#include <string>
#include <vector>

namespace stampede::cli {

// A run log at `file`: its directory must exist (unless `create_parent`, for the default
// results/ directory: then the nearest existing ancestor must be writable), be a writable
// directory, and `file` must not be a directory or an existing file that cannot be replaced.
// Empty when fine, else one line per problem naming `option` (e.g. "-o").
std::vector<std::string> output_file_problems(const std::filesystem::path& file, bool create_parent, const std::string& option);
// An output directory (sweeps): it, or its nearest existing ancestor, must be a writable directory.
std::vector<std::string> output_dir_problems(const std::filesystem::path& dir, const std::string& option);

}  // namespace stampede::cli
