// Checkpoints of the market's changing parts (sim/core/state_io.hpp): what a day boundary needs
// to continue exactly. Static parts (the universe, calendar, index weights, driver path) are
// rebuilt from the scenario.
#include "sim/core/state_io.hpp"
#include "sim/market/fundamentals.hpp"
#include "sim/market/futures.hpp"
#include "sim/market/indices.hpp"

namespace stampede {

void FuturesMarket::checkpoint(StateIo& io) {
  io.tag("futures");
  for (FuturesContract& c : slots_)
    io(c.code, c.expiry, c.prev_settlement, c.last, c.volume, c.window_value, c.window_qty, c.open_interest);
  io(final_index_sum_, final_index_samples_);
}

void Fundamentals::checkpoint(StateIo& io) {
  io.tag("fundamentals");
  io(value_, alpha_, idio_rng_, alpha_rng_, factor_rng_, cum_market_, cum_size_);
  io(bridge_day_, bridge_left_, bridge_minutes_left_);
}

void MicrocapIndex::checkpoint(StateIo& io) {
  io.tag("microcap_index");
  io(members_, base_price_, level_at_rebalance_);
}

}  // namespace stampede
