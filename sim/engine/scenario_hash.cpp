#include "sim/engine/scenario_hash.hpp"

#include "sim/core/sha256.hpp"
#include "sim/scenario/scenario_data.hpp"

namespace stampede {

std::string scenario_hash(const Scenario& s) {
  Sha256 h;
  h.update(s.resolved_toml());
  const std::string& driver = s.get_string("fundamentals.market_driver");
  if (!driver.empty())
    if (const auto data = read_scenario_data(driver, s.source_dirs())) {
      h.update("\n# market driver data\n");
      h.update(data->text);
    }
  return h.hex();
}

}  // namespace stampede
