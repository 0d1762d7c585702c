#pragma once
// The retail crowd: one agent object for the whole population, a structure of arrays with a
// row per trader (a style code, the live order, a few holding slots with purchase prices) and
// an engine account each. Traders act at Poisson times: per block of traders the number of
// active ones is drawn each step, then picked, so idle traders cost nothing. Blocks decide in
// parallel, each with its own random stream, and a thread interleaves several blocks so that one
// trader's memory arrives while others decide (agents/retail_decide.cpp).
//
// Styles: noise (buy or sell at random), momentum (chase stocks that rose over the lookback,
// dump held losers), attention (buy the stocks everyone looks at: big moves, heavy volume) and
// panic-prone. Any trader may panic: it dumps a holding that fell past a threshold since
// purchase or since the previous close, with a probability that rises with the share of
// stocks locked limit-down. Buys are lots of 100 paid from available cash; sells never exceed
// what is sellable today (T+1); no short selling.
#include <array>
#include <cstdint>
#include <vector>

#include "agents/stock_picker.hpp"
#include "sim/core/rng.hpp"
#include "sim/engine/agent.hpp"
#include "sim/engine/agent_registry.hpp"

namespace stampede {

enum class RetailStyle : std::uint8_t { Noise = 0, Momentum = 1, Attention = 2, Panic = 3 };
inline constexpr int kRetailStyles = 4;

struct RetailParams {
  double orders_per_day = 3.0;
  std::array<double, kRetailStyles> style_share{0.4, 0.25, 0.25, 0.1};   // noise, momentum, attention, panic
  int max_stocks = 6;                    // holding slots per trader
  double order_size_lots = 3.0;
  double marketable_share = 0.3;
  double limit_offset_ticks = 2.0;
  int momentum_lookback_days = 5;
  int momentum_candidates = 5;
  double momentum_threshold = 0.02;
  int attention_list_size = 30;
  double attention_volume_weight = 1.0;
  double attention_volume_days = 5.0;
  double attention_buy_share = 0.8;
  double panic_loss_threshold = 0.10;
  double panic_day_loss_threshold = 0.06;
  double panic_base_prob = 0.3;
  double panic_limit_down_sensitivity = 2.0;
  double panic_contagion = 0.5;
  int report_every_steps = 30;
  double cap_weight_exponent = 0.0;      // random picks weighted by (market cap)^this; 0 = uniform
};

// What one active trader wants to do this step (at most one order).
struct RetailIntent {
  bool act = false;
  Side side = Side::Buy;
  InstrumentId stock = -1;
  Tick price = kNoPrice;
  Qty qty = 0;
  int slot = -1;       // holding slot the order is for
  bool panic = false;
};

// The agent class (Agent::kind(), the run log's agent_class), declared once.
inline constexpr AgentClassInfo kRetailTraderClass{
    "retail_trader", "retail traders", "the retail crowd: one agent for the whole population, an account per trader"};

class RetailPopulation final : public Agent {
 public:
  static constexpr int kBlockSize = 1024;
  static constexpr int kMaxSlots = 16;
  static constexpr int kCensusParts = 8;

  // Traders own the consecutive accounts first_account .. first_account + styles.size() - 1.
  // slot_stock/slot_entry: max_stocks entries per trader (stock -1 = free slot).
  RetailPopulation(const RetailParams& p, AccountId first_account, std::vector<std::uint8_t> styles,
                   std::vector<std::int32_t> slot_stock, std::vector<Tick> slot_entry,
                   const std::vector<Tick>& first_prices, std::uint64_t seed, AgentId id, StockPicker picker = {});
  const char* kind() const override { return kRetailTraderClass.name; }
  void checkpoint(StateIo& io) override;   // agents/checkpoints.cpp
  void decide(const MarketView& view, OrderSink& out) override;
  void end_of_day(const MarketView& view, OrderSink& out) override;
  void report(const MarketView& view, ClassMetrics& into) const override;

  int size() const { return static_cast<int>(style_.size()); }
  AccountId account(int trader) const { return first_account_ + trader; }
  RetailStyle style(int trader) const { return static_cast<RetailStyle>(style_[static_cast<std::size_t>(trader)]); }
  // The decision of one active trader, without side effects (public for tests).
  RetailIntent intent(const MarketView& view, int trader, Rng& rng) const;
  // Probability that a trader of this style dumps a fallen holding when active.
  double panic_probability(RetailStyle s, double limit_down_share) const;
  // Running totals: panic sell orders sent, shares and yuan value (at order prices), all days.
  std::int64_t panic_orders_total() const { return panic_orders_total_; }
  // Bytes of the population's own per-trader state (excluding the engine accounts).
  std::size_t state_bytes() const;

 private:
  class TraderDecision;   // one trader's decision, step by step (intent(), retail_population.cpp)
  struct Block {
    Rng rng;
    std::vector<Order> orders;
    std::uint64_t sequence = 0;
    std::vector<std::int32_t> revisit, next_revisit;   // traders that cancelled and re-decide next step
    std::int64_t panic_orders = 0, panic_shares = 0;
    Fen panic_value = 0;
  };
  class BlockPass;   // one block's traders in one step, in its stream's order (retail_decide.cpp)
  void decide_blocks(const MarketView& view, AgentId agent, double rate, int first_block, int last_block);
  void prefetch_trader(const MarketView& view, int trader) const;
  void act(const MarketView& view, int trader, Block& block, std::uint64_t base, std::uint64_t step_start,
           OrderSink& sink);
  void refresh_attention(const MarketView& view);
  void census(const MarketView& view) const;
  double lookback_return(const MarketView& view, InstrumentId s) const;
  Tick touch_price(const InstrumentQuote& q, Side side, Rng& rng) const;
  Qty order_lots(Rng& rng) const;

  RetailParams p_;
  AccountId first_account_;
  int k_;                                   // slots per trader
  // per trader
  std::vector<std::uint8_t> style_;
  std::vector<std::uint32_t> live_;         // today's live order: ((sequence - block base + 1) << 4) | slot; 0 = none
  std::vector<std::int32_t> slot_stock_;    // k_ per trader, -1 = free
  std::vector<Tick> slot_entry_;            // purchase price of each slot (first buy)
  // per block
  std::vector<Block> blocks_;
  int sequence_bits_ = 28;
  // per stock, market memory refreshed daily
  std::vector<Tick> close_ring_;            // momentum_lookback_days x stocks: closes, ring by day
  std::vector<double> volume_ewma_;         // daily volume, EWMA
  std::vector<InstrumentId> attention_;     // today's attention list
  StockPicker picker_;                      // a random stock for noise buys and momentum candidates
  std::vector<std::pair<double, InstrumentId>> attention_scratch_;
  std::int64_t panic_orders_total_ = 0;
  // report: a census of cash and shares every report_every_steps steps, marked every step
  mutable StepIndex census_step_ = -1;
  mutable DayIndex census_day_ = -1;
  mutable Fen census_cash_ = 0;
  mutable std::vector<Qty> census_shares_;
  mutable std::vector<Qty> census_part_shares_;    // kCensusParts x stocks: the parallel count's parts
  mutable std::vector<Fen> census_part_cash_;
};

// The [retail] section: the traders' behaviour and how they are endowed.
struct RetailSection {
  int count = 20000;
  RetailParams trader;
  double cash_yuan_median = 1.0e5;
  double holdings_yuan_median = 2.0e5;
  double wealth_dispersion = 1.0;
  int stocks_held = 3;
};
ParamBinder<RetailSection> retail_section_binder();   // agents/retail_section.cpp
AgentKind retail_population_kind();

}  // namespace stampede
