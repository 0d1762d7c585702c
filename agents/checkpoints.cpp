// Every agent kind's checkpoint() (sim/engine/agent.hpp, sim/core/state_io.hpp), in one file so
// that the member lists sit together: each lists, once for saving and loading, the members that
// change during a run. Parameters and what the constructor fixes for good (accounts, styles,
// noise drawn at setup, shared read-only pools and surfaces) are rebuilt from the scenario.
// tests/cli/test_checkpoint_resume.py catches a member left out: a run resumed at several day
// boundaries must give the uninterrupted run's log bit for bit.
#include "agents/dma_account.hpp"
#include "agents/futures_market_maker.hpp"
#include "agents/hedged_basket.hpp"
#include "agents/index_enhanced_fund.hpp"
#include "agents/liquidity_provider.hpp"
#include "agents/margin_investors.hpp"
#include "agents/national_team.hpp"
#include "agents/neutral_fund.hpp"
#include "agents/noise_traders.hpp"
#include "agents/quote_withdrawal.hpp"
#include "agents/retail_population.hpp"
#include "agents/signal_board.hpp"
#include "agents/snowball_issuer.hpp"
#include "agents/value_investor.hpp"

namespace stampede {

// ---- shared parts

void SignalBoard::checkpoint(StateIo& io) {
  io.tag("signal_board");
  io(day_, history_len_, head_, candidates_, closes_, size_z_, reversal_z_, alpha_z_, alpha_known_);
}

void MakerSegmentBoard::checkpoint(StateIo& io) {
  io.tag("maker_segment_board");
  io(reference_, shift_, day_);
}

void QuoteWithdrawal::checkpoint(StateIo& io) {
  io(day_, reference_equity_, prev_position_, have_position_, flow_, flow_pos_, flow_sum_, remaining_minutes_, withdrawals_);
}

void HedgedBasket::checkpoint(StateIo& io) {
  io.tag("hedged_basket");
  io(basket_, basket_day_, day_start_, day_start_long_, mode_, pending_send_, futures_pending_, step_, forced_steps_);
  io(reserved_at_, reserved_fen_, cancelled_at_, open_, open_next_, open_futures_, mark_, mark_step_, mark_day_);
  io(w_size_, excess_, excess_peak_, last_hedged_close_, style_cut_, hedge_discount_annual_);
}

// ---- agent kinds

void NeutralFund::checkpoint(StateIo& io) {
  checkpoint_book(io);
  io(day_, day_nav_, units_, payable_, requests_, peak_nav_pu_, risk_peak_, prev_nav_pu_, returns_, returns_seen_,
     cut_days_left_);
}

void DmaAccount::checkpoint(StateIo& io) {
  checkpoint_book(io);
  io(loan_, shortfall_, written_off_, state_, grace_left_, day_, day_equity_, start_equity_);
}

void IndexEnhancedFund::checkpoint(StateIo& io) {
  io(basket_, weight_, in_basket_, rng_, work_, sent_, pending_, units_, index0_, peak_relative_, last_drawdown_, state_, day_,
     continuous_seen_, day_start_long_, sold_today_);
  io(peak_unit_, last_unit_);
}

void LiquidityProvider::checkpoint(StateIo& io) {
  io(target_inventory_, max_inventory_yuan_, min_cash_, bid_, ask_, bid_price_, ask_price_, seen_cash_, seen_holding_, seen_day_);
  io(prev_last_, vol_ticks_, skew_reference_, locked_share_last_close_, locked_share_today_, mark_equity_, mark_step_, mark_day_,
     rng_, withdrawal_);
  if (segment_board_) io.shared(segment_board_);
}

void FuturesMarketMaker::checkpoint(StateIo& io) {
  io(expected_basis_annual_, rng_, bid_, ask_, code_, withdrawal_, carried_book_, carried_day_);
}

void NationalTeam::checkpoint(StateIo& io) {
  io(budget_fen_, pace_fen_, basket_, weight_, owed_fen_, resting_, lots_, limit_, state_, peak_, trough_, day_, continuous_seen_,
     cash_day_start_, cash_fen_last_);
}

void NoiseTraders::checkpoint(StateIo& io) {
  io(block_rng_, block_orders_, block_sequence_);
}

void RetailPopulation::checkpoint(StateIo& io) {
  io(style_, live_, slot_stock_, slot_entry_, sequence_bits_, close_ring_, volume_ewma_, attention_, panic_orders_total_);
  if (io.size(blocks_.size()) != blocks_.size()) throw CheckpointError("checkpoint has another number of retail blocks");
  for (Block& b : blocks_)
    io(b.rng, b.orders, b.sequence, b.revisit, b.next_revisit, b.panic_orders, b.panic_shares, b.panic_value);
  io(census_step_, census_day_, census_cash_, census_shares_);
}

void MarginInvestors::checkpoint(StateIo& io) {
  if (io.size(loan_.size()) != loan_.size()) throw CheckpointError("checkpoint has another number of margin investors");
  io(loan_, state_, call_left_, forced_, resting_, day_, continuous_seen_);
  io(census_step_, census_day_, census_cash_, census_loan_, census_called_, census_forced_, census_shares_);
}

void SnowballIssuer::checkpoint(StateIo& io) {
  io(notes_, anchored_, day_, catching_up_, ki_selling_, target_, breached_, target_stale_, in_roll_, roll_front_start_,
     roll_next_start_, resting_, resting_slot_, margin_spent_, ki_count_, ko_count_, matured_count_);
}

void ValueInvestor::checkpoint(StateIo& io) {
  io(capital_, estimate_error_, phase_, rng_, resting_, day_, committed_today_, continuous_seen_);
}

}  // namespace stampede
