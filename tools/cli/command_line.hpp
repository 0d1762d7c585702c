#pragma once
// The command line's own mistakes in the project's one-line error convention (exit 2, naming the
// word that was wrong and what would be right), instead of CLI11's wording.
#include <CLI/CLI.hpp>
#include <string>

namespace stampede::cli {

// Checks argv against the app before CLI11 parses it, because CLI11 reports some mistakes late or
// under another name (an unknown option after a positional is taken as that positional's value):
// an unknown command (with the nearest command as a suggestion) and an unknown option of the
// command (with the nearest option). Throws InputError.
void check_command_line(const CLI::App& app, int argc, const char* const* argv);

// One line for a CLI11 parse error the check above let through (a bad value, a missing argument).
std::string parse_error_line(const CLI::App& app, const CLI::ParseError& e);

}  // namespace stampede::cli
