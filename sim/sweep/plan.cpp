#include "sim/sweep/plan.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fmt/format.h>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <unistd.h>

#include "sim/core/rng.hpp"

namespace stampede::sweep {

namespace {

constexpr std::size_t kMaxAxisValues = 100000;
constexpr std::size_t kMaxRuns = 10000000;

std::string trim(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    std::size_t p = s.find(sep, start);
    out.push_back(trim(s.substr(start, p == std::string_view::npos ? std::string_view::npos : p - start)));
    if (p == std::string_view::npos) break;
    start = p + 1;
  }
  return out;
}

std::optional<double> parse_number(const std::string& t) {
  if (t.empty()) return std::nullopt;
  double x = 0;
  const char* b = t.data();
  if (*b == '+') ++b;
  auto [p, ec] = std::from_chars(b, t.data() + t.size(), x);
  if (ec != std::errc() || p != t.data() + t.size() || !std::isfinite(x)) return std::nullopt;
  return x;
}

bool looks_integer(const std::string& t) {
  if (t.empty()) return false;
  std::size_t i = (t[0] == '-' || t[0] == '+') ? 1 : 0;
  if (i == t.size()) return false;
  for (; i < t.size(); ++i)
    if (!std::isdigit(static_cast<unsigned char>(t[i]))) return false;
  return true;
}

int decimals(const std::string& t) {
  if (t.find_first_of("eE") != std::string::npos) return -1;
  std::size_t dot = t.find('.');
  return dot == std::string::npos ? 0 : static_cast<int>(t.size() - dot - 1);
}

// Problems in first-seen order, each once.
void add_unique(std::vector<std::string>& all, std::set<std::string>& seen, const std::string& p) {
  if (seen.insert(p).second) all.push_back(p);
}

std::string id_hex(std::uint64_t h) { return fmt::format("{:016x}", h); }

std::uint64_t run_id_hash(const std::string& base_resolved, const std::string& canonical) {
  return splitmix64(hash_tag(base_resolved) ^ splitmix64(hash_tag(canonical)));
}

std::string canonical(std::vector<std::pair<std::string, std::string>> params, int replicate) {
  std::sort(params.begin(), params.end());
  std::string c;
  for (const auto& [k, v] : params) c += k + "=" + v + ";";
  return c + fmt::format("replicate={}", replicate);
}

void check_replicates(int replicates, std::vector<std::string>& problems) {
  if (replicates < 1) problems.push_back(fmt::format("--replicates {}: at least 1 replicate is needed", replicates));
}

}  // namespace

PlanError::PlanError(std::vector<std::string> all)
    : std::runtime_error(all.empty() ? "invalid sweep" : all.front()), problems(std::move(all)) {}

std::optional<GridAxis> parse_grid_axis(std::string_view arg, std::vector<std::string>& problems) {
  const std::string who = fmt::format("--grid {}: ", arg);
  const std::size_t eq = arg.find('=');
  if (eq == std::string_view::npos) {
    problems.push_back(who + "expected KEY=VALUES, e.g. dma.leverage=2,3,4 or dma.leverage=1:5:0.5");
    return std::nullopt;
  }
  GridAxis axis;
  axis.key = trim(arg.substr(0, eq));
  const std::string text = trim(arg.substr(eq + 1));
  const std::size_t before = problems.size();
  if (axis.key.empty()) problems.push_back(who + "the key is empty");
  if (axis.key == "seed") problems.push_back(who + "the seed is not swept: use --replicates R (and --seed for the base seed)");
  if (text.empty()) {
    problems.push_back(who + "no values: give a list (2,3,4) or a range (START:STOP:STEP)");
  } else if (text.find(':') != std::string::npos && text.find(',') == std::string::npos && text.find('"') == std::string::npos) {
    const std::vector<std::string> parts = split(text, ':');
    if (parts.size() < 2 || parts.size() > 3) {
      problems.push_back(who + "a range is START:STOP or START:STOP:STEP");
    } else {
      const std::string step_text = parts.size() == 3 ? parts[2] : "1";
      auto start = parse_number(parts[0]), stop = parse_number(parts[1]), step = parse_number(step_text);
      if (!start || !stop || !step) {
        problems.push_back(who + "range bounds and step must be numbers");
      } else if (*step <= 0) {
        problems.push_back(who + fmt::format("the step must be positive, got {}", step_text));
      } else if (*stop < *start) {
        problems.push_back(who + fmt::format("the range is empty: STOP {} is below START {}", parts[1], parts[0]));
      } else {
        const double span = (*stop - *start) / *step;
        if (span + 1 > static_cast<double>(kMaxAxisValues)) {
          problems.push_back(who + fmt::format("the range has more than {} values", kMaxAxisValues));
        } else {
          const auto n = static_cast<std::size_t>(std::floor(span + 1e-9)) + 1;
          const bool ints = looks_integer(parts[0]) && looks_integer(step_text);
          const int dec = std::max(decimals(parts[0]), decimals(step_text));
          for (std::size_t i = 0; i < n; ++i) {
            const double x = *start + static_cast<double>(i) * *step;
            if (ints)
              axis.values.push_back(fmt::format("{}", static_cast<std::int64_t>(std::llround(x))));
            else if (dec >= 0 && std::min(decimals(parts[0]), decimals(step_text)) >= 0)
              axis.values.push_back(fmt::format("{:.{}f}", x, std::max(dec, 1)));
            else
              axis.values.push_back(fmt::format("{}", x));
          }
        }
      }
    }
  } else {
    axis.values = split(text, ',');
    for (const auto& v : axis.values)
      if (v.empty()) {
        problems.push_back(who + "an empty value in the list");
        break;
      }
  }
  std::set<std::string> seen;
  for (const auto& v : axis.values)
    if (!v.empty() && !seen.insert(v).second) {
      problems.push_back(who + fmt::format("the value {} is given twice", v));
      break;
    }
  if (problems.size() != before) return std::nullopt;
  return axis;
}

std::uint64_t derive_seed(std::uint64_t base_seed, std::vector<std::pair<std::string, std::string>> params, int replicate) {
  // 63 bits: scenario seeds are TOML integers (signed 64-bit).
  return stream_seed(base_seed, "sweep", hash_tag(canonical(std::move(params), replicate))) >> 1;
}

Plan plan_sweep(const SweepSpec& spec, const ScenarioLoader& load) {
  std::vector<std::string> problems;
  std::set<std::string> seen;
  check_replicates(spec.replicates, problems);
  std::vector<GridAxis> axes;
  std::set<std::string> keys;
  for (const auto& g : spec.grids) {
    std::vector<std::string> own;
    auto axis = parse_grid_axis(g, own);
    for (const auto& p : own) add_unique(problems, seen, p);
    if (!axis) continue;
    if (!keys.insert(axis->key).second) {
      add_unique(problems, seen, fmt::format("--grid {}: the key {} is swept twice", g, axis->key));
      continue;
    }
    axes.push_back(std::move(*axis));
  }
  if (spec.grids.empty()) add_unique(problems, seen, "no --grid KEY=VALUES given: nothing to sweep");

  // The base scenario, then every value of every axis on its own: unknown keys, wrong types and
  // out-of-range values are found before anything runs.
  Scenario base;
  bool base_ok = false;
  try {
    base = load(spec.scenario_file, spec.base_overrides);
    base_ok = true;
  } catch (const ScenarioError& e) {
    for (const auto& p : e.problems()) add_unique(problems, seen, p);
  }
  if (base_ok) {
    for (const auto& axis : axes)
      for (const auto& v : axis.values) {
        std::vector<std::string> ov = spec.base_overrides;
        ov.push_back(axis.key + "=" + v);
        try {
          (void)load(spec.scenario_file, ov);
        } catch (const ScenarioError& e) {
          bool unknown = false;
          for (const auto& p : e.problems()) {
            add_unique(problems, seen, fmt::format("--grid {}: {}", axis.key, p));
            unknown = unknown || p.find("unknown key") != std::string::npos;
          }
          if (unknown) break;   // once is enough
        }
      }
  }
  std::size_t total = static_cast<std::size_t>(std::max(spec.replicates, 1));
  for (const auto& a : axes) {
    total *= std::max<std::size_t>(a.values.size(), 1);
    if (total > kMaxRuns) {
      add_unique(problems, seen, fmt::format("the sweep has more than {} runs", kMaxRuns));
      break;
    }
  }
  if (!problems.empty()) throw PlanError(problems);

  Plan plan;
  for (const auto& a : axes) plan.columns.push_back(a.key);
  const std::string base_resolved = base.resolved_toml();
  const auto base_seed = static_cast<std::uint64_t>(base.get_int("seed"));
  std::vector<std::size_t> at(axes.size(), 0);   // odometer over the axes, last axis fastest
  for (;;) {
    std::vector<std::pair<std::string, std::string>> params;
    std::vector<std::string> values;
    for (std::size_t a = 0; a < axes.size(); ++a) {
      params.emplace_back(axes[a].key, axes[a].values[at[a]]);
      values.push_back(axes[a].values[at[a]]);
    }
    for (int r = 0; r < spec.replicates; ++r) {
      PlannedRun run;
      run.index = plan.runs.size();
      run.run_id = id_hex(run_id_hash(base_resolved, canonical(params, r)));
      run.scenario_file = spec.scenario_file;
      run.overrides = spec.base_overrides;
      for (const auto& [k, v] : params) run.overrides.push_back(k + "=" + v);
      run.values = values;
      run.replicate = r;
      run.seed = derive_seed(base_seed, params, r);
      run.overrides.push_back(fmt::format("seed={}", run.seed));
      plan.runs.push_back(std::move(run));
    }
    std::size_t a = axes.size();
    while (a > 0 && ++at[a - 1] == axes[a - 1].values.size()) at[--a] = 0;
    if (a == 0) break;
  }
  return plan;
}

namespace {

// Whitespace separates tokens, except inside double quotes (kept in the token).
std::vector<std::string> tokens(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false, any = false;
  for (char c : line) {
    if (c == '"') quoted = !quoted;
    if (!quoted && std::isspace(static_cast<unsigned char>(c))) {
      if (any) out.push_back(cur);
      cur.clear();
      any = false;
      continue;
    }
    if (!quoted && c == '#' && !any) break;   // a comment
    cur += c;
    any = true;
  }
  if (any) out.push_back(cur);
  return out;
}

}  // namespace

Plan plan_batch(const BatchSpec& spec, const ScenarioLoader& load) {
  std::vector<std::string> problems;
  std::set<std::string> seen;
  check_replicates(spec.replicates, problems);
  std::ifstream in(spec.batch_file);
  if (!in) throw PlanError({fmt::format("{}: cannot read the batch file", spec.batch_file.string())});
  const std::filesystem::path dir = spec.batch_file.parent_path();

  struct Line {
    int number;
    std::string scenario, file;
    std::vector<std::pair<std::string, std::string>> params;
    Scenario resolved;
  };
  std::vector<Line> lines;
  std::map<std::string, int> first_line;   // duplicate lines would be the same runs
  std::string text;
  for (int n = 1; std::getline(in, text); ++n) {
    const std::string who = fmt::format("{}:{}: ", spec.batch_file.string(), n);
    std::vector<std::string> t = tokens(text);
    if (t.empty()) continue;
    Line line{n, t[0], "", {}, {}};
    if (t[0] != "-") {
      std::filesystem::path p(t[0]);
      line.file = (p.is_relative() ? dir / p : p).string();
    }
    std::set<std::string> line_keys;
    bool ok = true;
    for (std::size_t i = 1; i < t.size(); ++i) {
      const std::size_t eq = t[i].find('=');
      if (eq == std::string::npos || eq == 0) {
        add_unique(problems, seen, who + fmt::format("'{}': expected KEY=VALUE after the scenario", t[i]));
        ok = false;
        continue;
      }
      std::string key = t[i].substr(0, eq);
      if (key == "seed") {
        add_unique(problems, seen, who + "seed is derived per run: set the base seed with --seed, replicates with --replicates");
        ok = false;
      }
      if (!line_keys.insert(key).second) {
        add_unique(problems, seen, who + fmt::format("{} is set twice", key));
        ok = false;
      }
      line.params.emplace_back(std::move(key), t[i].substr(eq + 1));
    }
    if (!ok) continue;
    std::vector<std::string> ov = spec.base_overrides;
    for (const auto& [k, v] : line.params) ov.push_back(k + "=" + v);
    try {
      line.resolved = load(line.file, ov);
    } catch (const ScenarioError& e) {
      for (const auto& p : e.problems()) add_unique(problems, seen, who + p);
      continue;
    }
    std::vector<std::pair<std::string, std::string>> key_params = line.params;
    key_params.emplace_back("scenario", line.scenario);
    const std::string c = canonical(key_params, 0);
    if (auto [it, fresh] = first_line.emplace(c, n); !fresh) {
      add_unique(problems, seen, who + fmt::format("the same run as line {}", it->second));
      continue;
    }
    lines.push_back(std::move(line));
  }
  if (lines.empty() && problems.empty()) problems.push_back(fmt::format("{}: no runs in the batch file", spec.batch_file.string()));
  if (!problems.empty()) throw PlanError(problems);

  Plan plan;
  plan.columns.push_back("scenario");
  for (const auto& l : lines)
    for (const auto& [k, v] : l.params)
      if (std::find(plan.columns.begin(), plan.columns.end(), k) == plan.columns.end()) plan.columns.push_back(k);
  for (const auto& l : lines) {
    std::vector<std::pair<std::string, std::string>> key_params = l.params;
    key_params.emplace_back("scenario", l.scenario);
    std::vector<std::string> values(plan.columns.size());
    values[0] = l.scenario;
    for (const auto& [k, v] : l.params)
      values[static_cast<std::size_t>(std::find(plan.columns.begin(), plan.columns.end(), k) - plan.columns.begin())] = v;
    const std::string resolved = l.resolved.resolved_toml();
    const auto base_seed = static_cast<std::uint64_t>(l.resolved.get_int("seed"));
    for (int r = 0; r < spec.replicates; ++r) {
      PlannedRun run;
      run.index = plan.runs.size();
      run.run_id = id_hex(run_id_hash(resolved, canonical(key_params, r)));
      run.scenario_file = l.file;
      run.overrides = spec.base_overrides;
      for (const auto& [k, v] : l.params) run.overrides.push_back(k + "=" + v);
      run.values = values;
      run.replicate = r;
      run.seed = derive_seed(base_seed, key_params, r);
      run.overrides.push_back(fmt::format("seed={}", run.seed));
      plan.runs.push_back(std::move(run));
    }
  }
  return plan;
}

std::string make_run_id(const std::string& base_resolved, std::vector<std::pair<std::string, std::string>> params,
                        int replicate) {
  return id_hex(run_id_hash(base_resolved, canonical(std::move(params), replicate)));
}

std::string log_name(const PlannedRun& run) { return "run_" + run.run_id + ".h5"; }
std::string error_name(const PlannedRun& run) { return "run_" + run.run_id + ".error"; }

std::string csv_field(std::string_view text) {
  if (text.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::vector<std::vector<std::string>> parse_csv(std::string_view text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false, any = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
      continue;
    }
    if (c == '"') {
      quoted = true;
      any = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
      any = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      if (any || !field.empty()) {
        row.push_back(std::move(field));
        rows.push_back(std::move(row));
      }
      row.clear();
      field.clear();
      any = false;
    } else {
      field += c;
      any = true;
    }
  }
  if (any || !field.empty()) {
    row.push_back(std::move(field));
    rows.push_back(std::move(row));
  }
  return rows;
}

void write_plan_csv(const Plan& plan, const std::filesystem::path& file) {
  std::string out = "index,run_id";
  for (const auto& c : plan.columns) {
    out += ',';
    out += csv_field(c);
  }
  out += ",replicate,seed\n";
  for (const auto& r : plan.runs) {
    out += fmt::format("{},{}", r.index, r.run_id);
    for (const auto& v : r.values) {
      out += ',';
      out += csv_field(v);
    }
    out += fmt::format(",{},{}\n", r.replicate, r.seed);
  }
  // Several shards may write the same plan at once: each writes its own file and renames it.
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  const std::filesystem::path tmp = file.string() + fmt::format(".tmp-{}-{}", host, getpid());
  {
    std::ofstream o(tmp, std::ios::binary | std::ios::trunc);
    o << out;
    if (!o.flush()) throw std::runtime_error(fmt::format("{}: cannot write the sweep plan", tmp.string()));
  }
  std::filesystem::rename(tmp, file);
}

Plan read_plan_csv(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw PlanError({fmt::format("{}: no sweep plan here (is this the -o directory of a sweep or batch?)", file.string())});
  std::stringstream ss;
  ss << in.rdbuf();
  auto rows = parse_csv(ss.str());
  auto bad = [&](const std::string& why) { return PlanError({fmt::format("{}: {}", file.string(), why)}); };
  if (rows.empty() || rows[0].size() < 4 || rows[0][0] != "index" || rows[0][1] != "run_id" ||
      rows[0][rows[0].size() - 2] != "replicate" || rows[0].back() != "seed")
    throw bad("not a sweep plan (header index,run_id,...,replicate,seed expected)");
  Plan plan;
  plan.columns.assign(rows[0].begin() + 2, rows[0].end() - 2);
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto& row = rows[i];
    if (row.size() != rows[0].size()) throw bad(fmt::format("line {}: {} fields, expected {}", i + 1, row.size(), rows[0].size()));
    PlannedRun r;
    try {
      r.index = std::stoull(row[0]);
      r.replicate = std::stoi(row[row.size() - 2]);
      r.seed = std::stoull(row.back());
    } catch (const std::exception&) {
      throw bad(fmt::format("line {}: malformed numbers", i + 1));
    }
    if (r.index != plan.runs.size()) throw bad(fmt::format("line {}: index {} out of order", i + 1, row[0]));
    r.run_id = row[1];
    r.values.assign(row.begin() + 2, row.end() - 2);
    plan.runs.push_back(std::move(r));
  }
  return plan;
}

}  // namespace stampede::sweep
