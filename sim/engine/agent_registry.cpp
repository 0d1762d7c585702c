#include "sim/engine/agent_registry.hpp"

#include <algorithm>

namespace stampede {

AgentId WorldSetup::add_agent(std::unique_ptr<Agent> agent) {
  AgentId id = next_agent_id();
  agent->assign_id(id);
  agent_kinds_.emplace_back(agent->kind());
  agents_.push_back(std::move(agent));
  return id;
}

Qty WorldSetup::grant_shares(AccountId to, InstrumentId stock, Qty qty) {
  Qty free = accounts_[float_account_].sellable(stock);
  Qty granted = std::min(qty, free) / 100 * 100;
  if (granted > 0) accounts_.transfer_shares(float_account_, to, stock, granted);
  return granted;
}

std::vector<const AgentKind*> AgentRegistry::population_order() const {
  std::vector<const AgentKind*> order;
  for (const std::string& section : first_)
    for (const AgentKind& k : kinds_)
      if (k.section == section) order.push_back(&k);
  std::vector<const AgentKind*> rest;
  for (const AgentKind& k : kinds_)
    if (std::find(first_.begin(), first_.end(), k.section) == first_.end()) rest.push_back(&k);
  std::stable_sort(rest.begin(), rest.end(),
                   [](const AgentKind* a, const AgentKind* b) { return a->section < b->section; });
  order.insert(order.end(), rest.begin(), rest.end());
  return order;
}

void AgentRegistry::populate(const Scenario& scenario, WorldSetup& setup) const {
  for (const AgentKind* k : population_order()) {
    setup.begin_section(k->section);
    k->populate(scenario, setup);
  }
  setup.begin_section("");
}

std::vector<ParamSpec> AgentRegistry::all_params() const {
  std::vector<ParamSpec> all = core_param_specs();
  for (const AgentKind* k : population_order()) all.insert(all.end(), k->params.begin(), k->params.end());
  return all;
}

const AgentClassInfo* AgentRegistry::find_class(const std::string& name, std::string* section) const {
  for (const AgentKind& k : kinds_)
    for (const AgentClassInfo& c : k.classes)
      if (name == c.name) {
        if (section != nullptr) *section = k.section;
        return &c;
      }
  return nullptr;
}

}  // namespace stampede
