// The shipped scenarios and the scenario reference stay true to the code: every key the built-in
// agents and the market read is in scenarios/feb2024.toml (the built-in default, with its
// calibrated values), and docs/scenario.md's tables are the specs (with the value a key takes
// when a file leaves it out).
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "agents/builtin_agents.hpp"
#include "sim/scenario/param_docs.hpp"

using namespace stampede;

namespace {
std::string read(const std::string& relative) {
  std::ifstream in(std::string(STAMPEDE_SOURCE_DIR) + "/" + relative);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}
std::string leaf(const std::string& key) { return key.substr(key.find('.') + 1); }
std::string section(const std::string& key) {
  auto dot = key.find('.');
  return dot == std::string::npos ? std::string() : key.substr(0, dot);
}
}  // namespace

TEST_CASE("the shipped scenario files parse, and feb2024 (the built-in default) lists every key", "[scenario]") {
  const auto specs = builtin_agents().all_params();
  const Scenario shipped = Scenario::load(std::string(STAMPEDE_SOURCE_DIR) + "/scenarios/feb2024.toml", specs);
  CHECK(shipped.name() == "feb2024");
  for (const ParamSpec& s : specs) {
    INFO("key " << s.key);
    const std::string line = '\n' + leaf(s.key) + " = ";   // '\n', not "\n": a false -Wrestrict in gcc 12
    CHECK(shipped.source_text().find(line) != std::string::npos);
    if (!section(s.key).empty()) CHECK(shipped.has_section(section(s.key)));
  }
  // Every other shipped scenario loads (most build on feb2024.toml) and keeps its own name.
  for (const auto& entry : std::filesystem::directory_iterator(std::string(STAMPEDE_SOURCE_DIR) + "/scenarios")) {
    if (entry.path().extension() != ".toml") continue;
    INFO("scenario " << entry.path());
    Scenario s;
    REQUIRE_NOTHROW(s = Scenario::load(entry.path(), specs));
    CHECK(s.name() == entry.path().stem().string());
  }
}

TEST_CASE("docs/scenario.md's parameter tables are the code's, cell by cell", "[scenario]") {
  // Every key's key, type, default, unit, range and meaning; a stale cell is named with its
  // section, key and column. `stampede check --doc docs/scenario.md` rewrites the tables.
  const auto differences = parameter_table_differences(read("docs/scenario.md"), builtin_agents().all_params());
  std::string listed;
  for (const auto& d : differences) listed += "\n  " + d;
  INFO("docs/scenario.md differs from the code (run stampede check --doc docs/scenario.md):" << listed);
  CHECK(differences.empty());
}

TEST_CASE("feb2024.toml's comment blocks begin with the specs' lines (unit, range, doc)", "[scenario]") {
  // Each key's comment block begins with `# unit; range; doc` as the code declares it; the
  // scenario's own explanation follows. A stale unit, range or doc is named with its line. The
  // other shipped scenarios (overlays of feb2024.toml) follow the same convention.
  const auto specs = builtin_agents().all_params();
  for (const auto& entry : std::filesystem::directory_iterator(std::string(STAMPEDE_SOURCE_DIR) + "/scenarios")) {
    if (entry.path().extension() != ".toml") continue;
    const std::string file = "scenarios/" + entry.path().filename().string();
    const auto differences = scenario_comment_differences(read(file), specs);
    std::string listed;
    for (const auto& d : differences) listed += "\n  " + d;
    INFO(file << "'s comments differ from the code (run stampede check --doc docs/scenario.md " << file
              << "):" << listed);
    CHECK(differences.empty());
  }
}

namespace {
std::vector<ParamSpec> small_specs() {
  ParamSpec days{
      "days", ParamType::Int, std::int64_t{5}, 1, 5000, "trading days", "number of trading days to simulate"};
  ParamSpec name{"name", ParamType::String, std::string("x"), {}, {}, "", "scenario name"};
  ParamSpec lev{"dma.leverage", ParamType::Float, 4.0, 1, 10, "", "gross long / equity of each account"};
  ParamSpec pace{"dma.pace", ParamType::Float, 0.1, 0.001, 1, "1/step", std::string(130, 'w').replace(60, 1, " ")};
  return {name, days, lev, pace};
}
}   // namespace

TEST_CASE("scenario comments: a stale spec is named, a rewrite keeps the explanations and is a fixed point",
          "[scenario]") {
  const auto specs = small_specs();
  const std::string stale =
      "# A header, left alone.\n"
      "\n"
      "# -; any; scenario name\n"
      "name = \"x\"\n"
      "# days; 1..5000; number of trading days to simulate. Five: one week\n"
      "days = 5\n"
      "\n"
      "[dma]\n"
      "# Accounts at a broker: the section's comment.\n"
      "# times; 1..10; gross long over equity of each account, as brokers\n"
      "# allowed in 2023\n"
      "leverage = 4.0\n"
      "# 1/step; 0.001..1; " +
      std::string(130, 'w').replace(60, 1, " ") +
      "\n"
      "pace = 0.1  # inline\n";
  const auto differences = scenario_comment_differences(stale, specs);
  std::string listed;
  for (const auto& d : differences) listed += "\n" + d;
  INFO(listed);
  CHECK(listed.find("line 4: [top level] name: range is `any` in the file, `-` in the code") != std::string::npos);
  CHECK(listed.find("line 6: [top level] days: unit is `days` in the file, `trading days` in the code") !=
        std::string::npos);
  CHECK(listed.find("[dma] leverage: unit is `times` in the file, `-` in the code") != std::string::npos);
  CHECK(listed.find("[dma] leverage: doc is `gross long over equity of each account, as brokers allowed in 2023` in "
                    "the file, `gross long / equity of each account` in the code") != std::string::npos);
  CHECK(listed.find("[dma] leverage: comment lines above its spec line") != std::string::npos);
  CHECK(listed.find("[dma] pace: the spec line is wrapped otherwise") != std::string::npos);

  const std::string rewritten = with_spec_comments(stale, specs);
  const std::string expected =
      "# A header, left alone.\n"
      "\n"
      "# -; -; scenario name\n"
      "name = \"x\"\n"
      "# trading days; 1..5000; number of trading days to simulate\n"
      "# Five: one week\n"
      "days = 5\n"
      "\n"
      "[dma]\n"
      "# Accounts at a broker: the section's comment.\n"
      "\n"
      "# -; 1..10; gross long / equity of each account\n"
      "# gross long over equity of each account, as brokers allowed in 2023\n"
      "leverage = 4.0\n"
      "# 1/step; 0.001..1; " +
      std::string(60, 'w') +
      "\n"
      "# " +
      std::string(69, 'w') +
      "\n"
      "pace = 0.1  # inline\n";
  CHECK(rewritten == expected);
  CHECK(scenario_comment_differences(rewritten, specs).empty());
  CHECK(with_spec_comments(rewritten, specs) == rewritten);   // a fixed point
  // The values are the same.
  const Scenario before = Scenario::parse(stale, "stale", specs),
                 after = Scenario::parse(rewritten, "rewritten", specs);
  CHECK(after.differences_from(before).empty());

  // A key with no spec line gets one, its comment kept after it; a comment right after a section
  // header is the section's and stays above.
  const std::string bare = "days = 5\n[dma]\n# The section.\nleverage = 4.0\n# why 0.1\npace = 0.1\n";
  const std::string spec_days = "# trading days; 1..5000; number of trading days to simulate\n";
  CHECK(with_spec_comments(bare, specs) == spec_days + "days = 5\n[dma]\n# The section.\n\n" +
                                               "# -; 1..10; gross long / equity of each account\nleverage = 4.0\n" +
                                               "# 1/step; 0.001..1; " + std::string(60, 'w') + "\n# " +
                                               std::string(69, 'w') + "\n# why 0.1\npace = 0.1\n");
}

TEST_CASE("feb2024.toml with stale comments comes back as the committed file, to the same scenario", "[scenario]") {
  const auto specs = builtin_agents().all_params();
  const std::string committed = read("scenarios/feb2024.toml");
  // Every dimensionless key's unit spoiled, and a doc line split mid-sentence.
  std::string stale;
  std::size_t pos = 0, spoiled = 0;
  while (true) {
    const auto hit = committed.find("\n# -; ", pos);
    if (hit == std::string::npos) break;
    stale += committed.substr(pos, hit - pos) + "\n# none; ";
    pos = hit + 6;
    ++spoiled;
  }
  stale += committed.substr(pos);
  CHECK(spoiled > 50);
  CHECK(scenario_comment_differences(stale, specs).size() >= spoiled);
  const std::string rewritten = with_spec_comments(stale, specs);
  CHECK(rewritten == committed);
  const Scenario a = Scenario::parse(committed, "committed", specs), b = Scenario::parse(rewritten, "rewritten", specs);
  CHECK(b.differences_from(a).empty());
}

TEST_CASE("the scenario fuzzer's dictionary has every key, as a leaf, a --set prefix and its section", "[scenario]") {
  // tests/fuzz/scenario.dict (docs/fuzzing.md): a key missing there is a key the fuzzer rarely writes.
  const std::string dict = read("tests/fuzz/scenario.dict");
  for (const ParamSpec& s : builtin_agents().all_params()) {
    INFO("key " << s.key);
    CHECK(dict.find("\n\"" + leaf(s.key) + "\"\n") != std::string::npos);
    if (section(s.key).empty()) continue;
    CHECK(dict.find("\n\"" + s.key + "=\"\n") != std::string::npos);
    CHECK(dict.find("\n\"[" + section(s.key) + "]\"\n") != std::string::npos);
  }
}
