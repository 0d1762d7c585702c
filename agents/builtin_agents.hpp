#pragma once
// Every agent kind shipped with stampede, in the order their sections populate the world.
#include "sim/engine/agent_registry.hpp"

namespace stampede {
AgentRegistry builtin_agents();
}
