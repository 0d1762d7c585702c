#pragma once
// The scenario's content hash, recorded in every run log (root attribute scenario_hash) and
// checked before a sweep or merge reuses a log: SHA-256 of the resolved scenario (every key after
// defaults, base files and overrides, as `stampede check` prints it) followed by the text of the
// market driver's data file when it names one. Editing a key, a base file or the data changes it;
// comments and key order do not.
#include <string>

#include "sim/scenario/scenario.hpp"

namespace stampede {

std::string scenario_hash(const Scenario& s);

}  // namespace stampede
