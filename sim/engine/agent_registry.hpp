#pragma once
// Agent kinds are plugged in by name: each kind declares its scenario section (with every key's
// spec) and a factory that populates the world. The engine sees only this registry.
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "sim/core/rng.hpp"
#include "sim/engine/agent.hpp"
#include "sim/market/accounts.hpp"
#include "sim/market/universe.hpp"
#include "sim/scenario/param_binder.hpp"
#include "sim/scenario/scenario.hpp"

namespace stampede {

// What a factory may do while the world is being built: add agents, open accounts with cash
// (an external inflow) and take shares out of the passive float (the holders who never trade).
class WorldSetup {
 public:
  WorldSetup(const Universe& universe, AccountBook& accounts, AccountId float_account, std::uint64_t seed,
             std::vector<std::unique_ptr<Agent>>& agents, std::vector<std::string>& agent_kinds)
      : universe_(universe), accounts_(accounts), float_account_(float_account), seed_(seed), agents_(agents),
        agent_kinds_(agent_kinds) {}

  const Universe& universe() const { return universe_; }
  std::uint64_t seed() const { return seed_; }
  // The section being populated (AgentRegistry::populate sets it before each section's turn).
  const std::string& section() const { return section_; }
  void begin_section(std::string section) { section_ = std::move(section); }
  // A random stream of the section being populated, keyed by the run seed, the section's name,
  // `purpose` and `index` alone: `index` is the agent's place within its section (0, 1, ...), never
  // its id, so the draws stay as they are when sections are added or reordered or another section
  // makes more agents. (The first release's sections key theirs by agent id instead, which their
  // pinned place keeps stable: agents/builtin_agents.cpp.)
  Rng stream(std::string_view purpose, std::uint64_t index) const {
    return make_stream(seed_, section_ + "." + std::string(purpose), index);
  }
  AgentId next_agent_id() const { return static_cast<AgentId>(agents_.size()); }
  AgentId add_agent(std::unique_ptr<Agent> agent);
  AccountId open_account(AgentId owner, Fen cash) { return accounts_.open(owner, cash); }
  // Moves up to `qty` shares (rounded down to lots) from the float; returns what was granted.
  Qty grant_shares(AccountId to, InstrumentId stock, Qty qty);
  const AccountBook& accounts() const { return accounts_; }

 private:
  const Universe& universe_;
  AccountBook& accounts_;
  AccountId float_account_;
  std::uint64_t seed_;
  std::vector<std::unique_ptr<Agent>>& agents_;
  std::vector<std::string>& agent_kinds_;
  std::string section_;
};

struct AgentKind {
  std::string section;                       // scenario section, e.g. "noise_traders"
  std::vector<ParamSpec> params;             // every key of that section
  std::function<void(const Scenario&, WorldSetup&)> populate;
  // The agent classes `populate` makes (their constants, next to each agent): the run log's
  // /meta/agent_classes takes their labels and docs from here. A class no section lists (a
  // test's scripted agent) is logged with its name as its label.
  std::vector<AgentClassInfo> classes = {};
};

// What a bound section's kind does to the world, given the section loaded.
template <class Section>
using PopulateSection = std::function<void(const Section&, const Scenario&, WorldSetup&)>;

// The kind of a section bound to a struct (sim/scenario/param_binder.hpp): its keys are the
// binder's, and `populate` receives the section loaded (the scenario too, for core keys such as
// futures.margin_rate that an agent also reads). Section is deduced from the binder alone
// (type_identity), so a plain function converts to `populate`. `classes`: the agent classes
// `populate` makes (AgentKind::classes).
template <class Section>
AgentKind bound_agent_kind(ParamBinder<Section> binder, std::type_identity_t<PopulateSection<Section>> populate,
                           std::vector<AgentClassInfo> classes) {
  auto specs = binder.specs();
  std::string section = binder.section();
  return AgentKind{std::move(section), std::move(specs),
                   [binder = std::move(binder), populate = std::move(populate)](const Scenario& s, WorldSetup& setup) {
                     populate(binder.load(s), s, setup);
                   },
                   std::move(classes)};
}

// The agent kinds a run may use. The order sections populate the world in is declared, never the
// order of add(): an agent's id is its position in the world, so registering sections in another
// order changes no agent's id, random stream or draw.
class AgentRegistry {
 public:
  void add(AgentKind kind) { kinds_.push_back(std::move(kind)); }
  // In the order of add().
  const std::vector<AgentKind>& kinds() const { return kinds_; }
  // Sections that populate before every other, in this order (those of them registered); every
  // other section populates after them, in the order of section names.
  void populate_first(std::vector<std::string> sections) { first_ = std::move(sections); }
  // The registered kinds in the order they populate the world.
  std::vector<const AgentKind*> population_order() const;
  // Every section's agents into the world, in population order, each section named to `setup`
  // (WorldSetup::stream) during its turn.
  void populate(const Scenario& scenario, WorldSetup& setup) const;
  // Core keys plus every registered section, in population order: what a scenario may contain.
  std::vector<ParamSpec> all_params() const;
  // The class of that name some section declares (AgentKind::classes), and that section's name;
  // nullptr when none does.
  const AgentClassInfo* find_class(const std::string& name, std::string* section = nullptr) const;

 private:
  std::vector<AgentKind> kinds_;
  std::vector<std::string> first_;
};

}  // namespace stampede
