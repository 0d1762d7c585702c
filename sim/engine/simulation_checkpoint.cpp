// Simulation::checkpoint: the market's changing state at a day boundary. What is rebuilt from the
// scenario (universe, calendar, clock, index weights, driver path, agent classes) and the
// per-step working memory (routing, settlement blocks, the step's orders, trades and frames, all
// refilled before they are read) are not saved. The view agents read is saved as built after the
// close: the run driver reads it before the next step.
#include "sim/core/state_io.hpp"
#include "sim/engine/simulation.hpp"

namespace stampede {

namespace {
void view_state(StateIo& io, MarketView& v) {
  io(v.step, v.day, v.step_in_day, v.phase, v.days_total, v.hedged_index, v.hedged_prev_close, v.microcap_index,
     v.microcap_prev_close, v.locked_limit_down_count, v.locked_limit_up_count, v.hedged_locked_down_weight, v.rules);
  for (FuturesQuoteInfo& f : v.futures) io(f.code, f.days_to_expiry, f.tick_points, f.tick_value_fen, f.margin_per_contract);
}
}  // namespace

void Simulation::checkpoint(StateIo& io) {
  if (step_in_day_ != 0 || !events_.empty() || !day_rejections_.empty())
    throw std::logic_error("Simulation::checkpoint between two steps of a day, or before the events were taken");
  io.tag("simulation");
  io(day_, step_in_day_, global_step_, initial_cash_, external_in_, external_out_);
  fundamentals_.checkpoint(io);
  accounts_.checkpoint(io);
  if (io.size(books_.size()) != books_.size()) throw CheckpointError("checkpoint has another number of order books");
  for (OrderBook& b : books_) b.checkpoint(io);
  io(stock_day_, index_price_);
  microcap_->checkpoint(io);
  io(hedged_level_, hedged_prev_close_, microcap_level_, microcap_prev_close_);
  futures_.checkpoint(io);
  io(open_interest_, step_futures_volume_);
  io.tag("engine");
  io(agent_sequence_, agent_metrics_, class_metrics_, day_flows_, day_class_volume_, daily_start_nav_);
  io(quotes_, stock_last_, day_band_);
  view_state(io, view_);
  io(totals_.orders, totals_.trades, totals_.cancels, totals_.rejections);
  io.tag("agents");
  if (io.size(agents_.size()) != agents_.size()) throw CheckpointError("checkpoint has another number of agents");
  for (auto& a : agents_)
    io.framed("agent " + std::to_string(a->id()) + " (" + a->kind() + ")", [&] { a->checkpoint(io); });
  io.tag("end");
}

}  // namespace stampede
