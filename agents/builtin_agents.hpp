#pragma once
// Every agent kind shipped with stampede, and the order their sections populate the world in.
#include <string>
#include <vector>

#include "sim/engine/agent_registry.hpp"

namespace stampede {
// Every built-in kind, populating in the order first_release_sections() declares, then the others
// by section name (AgentRegistry::population_order).
AgentRegistry builtin_agents();
// The sections that populate first, in this order: a registry of some built-in kinds (a test's)
// passes it to AgentRegistry::populate_first to keep their ids and streams as in full runs.
const std::vector<std::string>& first_release_sections();
}   // namespace stampede
