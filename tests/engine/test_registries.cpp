// The registries the run log describes itself with (sim/record/meta_tables.hpp): event kinds
// (sim/record/event_kinds.def), agent classes (an AgentClassInfo next to each agent, listed by its
// section) and summary measures (run.cpp's table). Each is complete and unique, and a run's log
// carries them in /meta.
#include <hdf5.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

#include "agents/builtin_agents.hpp"
#include "sim/engine/run.hpp"
#include "sim/engine/simulation.hpp"
#include "sim/record/meta_tables.hpp"
#include "small_world.hpp"

using namespace stampede;

namespace {

std::filesystem::path temp_log(const char* name) {
  return std::filesystem::path(STAMPEDE_BINARY_DIR) / (std::string("engine_registries_") + name);
}

// A scalar variable-length string dataset of the file, "" when it cannot be read.
std::string read_text(const std::filesystem::path& file, const char* path) {
  std::string out;
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) return out;
  const hid_t ds = H5Dopen2(f, path, H5P_DEFAULT);
  if (ds >= 0) {
    const hid_t t = H5Dget_type(ds);
    char* text = nullptr;
    if (H5Tis_variable_str(t) > 0 && H5Dread(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, &text) >= 0 && text != nullptr) {
      out = text;
      H5free_memory(text);
    }
    H5Tclose(t);
    H5Dclose(ds);
  }
  H5Fclose(f);
  return out;
}

// The agent classes the registry's sections declare, and how many times each name is declared.
std::vector<std::string> declared_classes(const AgentRegistry& r) {
  std::vector<std::string> names;
  for (const AgentKind& k : r.kinds())
    for (const AgentClassInfo& c : k.classes) names.emplace_back(c.name);
  return names;
}

}   // namespace

TEST_CASE("every event kind is declared once, with a label, units and a doc", "[registry]") {
  std::set<std::string> names;
  for (const EventKind& k : declared_event_kinds()) {
    INFO(k.name);
    CHECK(names.insert(k.name).second);
    CHECK_FALSE(k.label.empty());
    CHECK(k.label != k.name);
    CHECK_FALSE(k.quantity_units.empty());
    CHECK_FALSE(k.price_units.empty());
    CHECK_FALSE(k.long_name.empty());
  }
  // The constants agents emit events under (OrderSink::event takes nothing else) are the
  // declared kinds, in order: an agent cannot emit a kind that is not declared.
  const std::vector<std::string> constants = {
#define STAMPEDE_EVENT_KIND(kind_name, ...) event_kind::kind_name.name,
#include "sim/record/event_kinds.def"
#undef STAMPEDE_EVENT_KIND
  };
  std::vector<std::string> declared;
  for (const EventKind& k : declared_event_kinds()) declared.push_back(k.name);
  CHECK(constants == declared);
  STATIC_REQUIRE_FALSE(std::is_convertible_v<const char*, EventKindName>);
}

TEST_CASE("every built-in agent class is declared once by its section, with a label and a doc", "[registry]") {
  const AgentRegistry registry = builtin_agents();
  const std::vector<std::string> names = declared_classes(registry);
  CHECK(std::set<std::string>(names.begin(), names.end()).size() == names.size());
  for (const AgentKind& k : registry.kinds()) {
    INFO(k.section);
    CHECK_FALSE(k.classes.empty());
    for (const AgentClassInfo& c : k.classes) {
      INFO(c.name);
      CHECK(std::string(c.label).size() > 0);
      CHECK(std::string(c.label) != c.name);
      CHECK(std::string(c.doc).size() > 0);
      std::string section;
      CHECK(registry.find_class(c.name, &section) == &c);
      CHECK(section == k.section);
    }
  }
  // Every agent the default scenario makes is of a declared class, and every declared class is made.
  const Scenario scenario =
      Scenario::load(std::string(STAMPEDE_SOURCE_DIR) + "/scenarios/feb2024.toml", registry.all_params());
  const Simulation sim(scenario, registry);
  for (const std::string& c : sim.agent_classes()) {
    INFO(c);
    CHECK(registry.find_class(c) != nullptr);
  }
  CHECK(std::set<std::string>(sim.agent_classes().begin(), sim.agent_classes().end()) ==
        std::set<std::string>(names.begin(), names.end()));
}

TEST_CASE("the summary's DMA and neutral-fund lines count the classes declaring those groups", "[registry][summary]") {
  const AgentRegistry registry = builtin_agents();
  std::map<SummaryGroup, int> declared;
  for (const AgentKind& k : registry.kinds())
    for (const AgentClassInfo& c : k.classes) ++declared[c.summary_group];
  CHECK(declared[SummaryGroup::dma_accounts] == 1);
  CHECK(declared[SummaryGroup::neutral_funds] == 1);
  // The small world's 4 DMA accounts and 3 neutral funds, found by their classes' groups.
  const Scenario scenario = test::small_world(registry, {"days=1"});
  RunOptions options;
  options.threads = 2;
  options.checkpoint_every_days = 0;
  options.output = temp_log("groups.h5");
  const RunSummary summary = run_simulation(scenario, registry, options);
  CHECK(summary.outcomes.dma_accounts == 4);
  CHECK(summary.outcomes.dma.agents == 4);
  CHECK(summary.outcomes.neutral.agents == 3);
  std::filesystem::remove(options.output);
}

TEST_CASE("every summary measure is declared once, with units, a label and a doc", "[registry]") {
  std::set<std::string> names;
  for (const SummaryMetric& m : declared_summary_metrics()) {
    INFO(m.name);
    CHECK(names.insert(m.name).second);
    CHECK(std::string(m.units).size() > 0);
    CHECK(std::string(m.label).size() > 0);
    CHECK(std::string(m.doc).size() > 0);
    CHECK(m.value != nullptr);
  }
  const auto values = summary_metrics(RunSummary{});
  REQUIRE(values.size() == declared_summary_metrics().size());
  for (std::size_t i = 0; i < values.size(); ++i) CHECK(values[i].first == declared_summary_metrics()[i].name);
}

TEST_CASE("a short run's log carries the registries in /meta", "[registry]") {
  const AgentRegistry registry = builtin_agents();
  const Scenario scenario = test::small_world(registry, {"days=1", "index_enhanced.count=1"});
  RunOptions options;
  options.threads = 2;
  options.checkpoint_every_days = 0;
  options.output = temp_log("run.h5");
  run_simulation(scenario, registry, options);

  CHECK(read_text(options.output, "/meta/event_kinds") == event_kinds_json(declared_event_kinds()));
  const std::string kinds = read_text(options.output, "/meta/event_kinds");
  for (const EventKind& k : declared_event_kinds())
    CHECK_THAT(kinds, Catch::Contains("{\"name\": \"" + k.name + "\", \"label\": \"" + k.label + "\""));

  const std::string classes = read_text(options.output, "/meta/agent_classes");
  const Simulation sim(scenario, registry);
  REQUIRE_FALSE(sim.agent_classes().empty());
  for (const std::string& c : sim.agent_classes()) {
    std::string section;
    const AgentClassInfo* info = registry.find_class(c, &section);
    REQUIRE(info != nullptr);
    CHECK_THAT(classes, Catch::Contains("{\"name\": \"" + c + "\", \"label\": \"" + info->label +
                                        "\", \"section\": \"" + section + "\""));
  }

  const std::string metrics = read_text(options.output, "/meta/summary_metrics");
  for (const SummaryMetric& m : declared_summary_metrics())
    CHECK_THAT(metrics, Catch::Contains("{\"name\": \"" + std::string(m.name) + "\", \"units\": \"" + m.units + "\""));
  std::filesystem::remove(options.output);
}
