#include "command_line.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <regex>
#include <string_view>
#include <vector>

#include "cli_common.hpp"

namespace stampede::cli {
namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

// " (did you mean 'x'?)" for the nearest candidate within a few edits, else "".
std::string suggestion(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const auto& c : candidates) {
    const std::size_t d = edit_distance(word, c);
    if (d < best_distance || (d == best_distance && !best.empty() && c.rfind(word, 0) == 0)) {
      best = c;
      best_distance = d;
    }
  }
  for (const auto& c : candidates)   // an unambiguous prefix beats a distant guess
    if (best.empty() && word.size() >= 2 && c.rfind(word, 0) == 0) best = c;
  return best.empty() ? "" : " (did you mean '" + best + "'?)";
}

std::vector<std::string> command_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) names.push_back(sub->get_name());
  return names;
}

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// A number such as -1 or -0.5 is a value, not an option.
bool is_number(const std::string& s) {
  char* end = nullptr;
  std::strtod(s.c_str(), &end);
  return end != s.c_str() && *end == '\0';
}

// Every spelling of the command's options: "--seed", "-o", ...
std::vector<std::string> option_spellings(const CLI::App& cmd) {
  std::vector<std::string> out = {"--help", "-h"};
  for (const CLI::Option* o : cmd.get_options([](const CLI::Option*) { return true; })) {
    for (const auto& l : o->get_lnames()) out.push_back("--" + l);
    for (const auto& s : o->get_snames()) out.push_back("-" + s);
  }
  return out;
}

// "0.000000" -> "0", "1024" -> "1024"; a bound beyond any real value (CLI11 prints the largest
// double) is "": no bound.
std::string bound_text(const std::string& s) {
  if (!is_number(s) || std::fabs(std::strtod(s.c_str(), nullptr)) >= 1e15) return "";
  std::string t = s;
  if (t.find('.') != std::string::npos) {
    t.erase(t.find_last_not_of('0') + 1);
    if (t.back() == '.') t.pop_back();
  }
  return t;
}

// An option's CLI11 type name ("INT:NONNEGATIVE", "FLOAT", "KEY=VALUE", a metavariable such as "N").
std::string type_of(const CLI::App* cmd, const std::string& option) {
  const CLI::Option* opt = cmd ? cmd->get_option_no_throw(option) : nullptr;
  return opt ? opt->get_type_name() : "";
}

// What a numeric type takes, in words: "INT:NONNEGATIVE" -> "a whole number of 0 or more", "FLOAT"
// -> "a number"; "" for any other type.
std::string number_kind(const std::string& type) {
  const std::string base = type.substr(0, type.find(':'));
  const bool nonnegative = type.find("NONNEGATIVE") != std::string::npos || base == "UINT";
  if (base == "INT" || base == "UINT") return nonnegative ? "a whole number of 0 or more" : "a whole number";
  if (base == "FLOAT" || base == "NUMBER") return nonnegative ? "a number of 0 or more" : "a number";
  return "";
}

// CLI11's words for a missing or bad value, as one line naming the option and what it takes;
// "" when `what` is none of them.
std::string value_problem(const CLI::App* cmd, const std::string& what) {
  static const std::regex missing(R"(^(-\S+): \d+ required \S+ missing$)");
  static const std::regex out_of_range(R"(^(-\S+): Value (.*) not in range (\S+) to (\S+)$)");
  static const std::regex unconverted(R"(^[Cc]ould not convert: (-\S+) = (.*)$)");
  std::smatch m;
  // "--seed needs a value: a whole number of 0 or more", "--set needs a value: KEY=VALUE"
  if (std::regex_match(what, m, missing)) {
    const std::string type = type_of(cmd, m[1]);
    std::string kind = number_kind(type);
    if (kind.empty() && type != "TEXT") kind = type.substr(0, type.find(':'));   // "KEY=VALUE", "N"
    return m[1].str() + " needs a value" + (kind.empty() ? "" : ": " + kind);
  }
  // "--threads 'x' is not a whole number from 0 to 1024"
  if (std::regex_match(what, m, out_of_range)) {
    const std::string type = type_of(cmd, m[1]);
    std::string kind = number_kind(type);
    kind = kind.empty() ? "a number" : kind.substr(0, kind.find(" of "));
    const std::string lo = bound_text(m[3]), hi = bound_text(m[4]);
    std::string range;
    if (!lo.empty() && !hi.empty())
      range = " from " + lo + " to " + hi;
    else if (type.find(":POSITIVE") != std::string::npos)
      range = " above 0";   // its lower bound prints as 0
    else if (!lo.empty())
      range = lo == "0" ? " of 0 or more" : " of at least " + lo;
    else if (!hi.empty())
      range = " of at most " + hi;
    return m[1].str() + " '" + m[2].str() + "' is not " + kind + range;
  }
  // "--seed '1.5' is not a whole number of 0 or more"
  if (std::regex_match(what, m, unconverted)) {
    const std::string kind = number_kind(type_of(cmd, m[1]));
    return m[1].str() + " '" + m[2].str() + "' is not " + (kind.empty() ? "a valid value" : kind);
  }
  return "";
}

}  // namespace

void check_command_line(const CLI::App& app, int argc, const char* const* argv) {
  if (argc < 2) return;   // CLI11 says a command is required (parse_error_line words it)
  const std::string first = argv[1];
  const CLI::App* cmd = &app;
  std::string prefix = "stampede";
  int i = 1;
  if (first.empty() || first[0] != '-') {
    const auto names = command_names(app);
    if (std::find(names.begin(), names.end(), first) == names.end())
      throw InputError("'" + first + "' is not a stampede command" + suggestion(first, names) + "; commands: " +
                       joined(names) + " (stampede --help)");
    cmd = app.get_subcommand(first);
    prefix += " " + first;
    i = 2;
  }
  const auto spellings = option_spellings(*cmd);
  for (; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--") break;   // everything after is positional
    if (arg.size() < 2 || arg[0] != '-' || is_number(arg)) continue;
    const std::string name = arg.substr(0, arg.find('='));
    if (std::find(spellings.begin(), spellings.end(), name) != spellings.end()) continue;
    if (name[1] != '-') {   // -qv: several short flags at once
      bool all_known = true;
      for (std::size_t k = 1; k < name.size(); ++k)
        all_known = all_known && std::find(spellings.begin(), spellings.end(), std::string("-") + name[k]) != spellings.end();
      if (all_known) continue;
    }
    // A one-letter option is a letter or two from every other: no guess for it.
    const std::string hint = name.size() <= 2 ? "" : suggestion(name, spellings);
    throw InputError(prefix + ": unknown option '" + name + "'" + hint + " (" + prefix + " --help)");
  }
}

std::string parse_error_line(const CLI::App& app, const CLI::ParseError& e) {
  const auto parsed = app.get_subcommands();
  const std::string prefix = parsed.empty() ? "stampede" : "stampede " + parsed.front()->get_name();
  std::string what = e.what();
  if (what == "A subcommand is required")
    return "no command given; commands: " + joined(command_names(app)) + " (stampede --help)";
  const std::string extras = "The following argument";
  if (what.rfind(extras, 0) == 0) {
    const std::string args = what.substr(what.find(':') + 2);
    return prefix + ": unexpected argument" + (args.find(' ') == std::string::npos ? " '" : "s '") + args + "' (" +
           prefix + " --help)";
  }
  if (const std::string line = value_problem(parsed.empty() ? nullptr : parsed.front(), what); !line.empty())
    return prefix + ": " + line + " (" + prefix + " --help)";
  if (!what.empty()) what[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(what[0])));
  return prefix + ": " + what + " (" + prefix + " --help)";
}

}  // namespace stampede::cli
