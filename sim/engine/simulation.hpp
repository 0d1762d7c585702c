#pragma once
// One run of the market: the world's state and the fixed phases of a step
//   snapshot -> decide (parallel) -> risk check (parallel, per agent) -> route (seeded arrival
//   order) -> match (parallel, per book) -> settle (sequential, fixed order) -> record.
// Nothing in a step depends on thread scheduling, so results are bit-identical at any thread count.
#include <array>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/book/order_book.hpp"
#include "sim/engine/agent.hpp"
#include "sim/engine/agent_registry.hpp"
#include "sim/engine/invariants.hpp"
#include "sim/engine/market_driver.hpp"
#include "sim/market/accounts.hpp"
#include "sim/market/calendar.hpp"
#include "sim/market/fundamentals.hpp"
#include "sim/market/futures.hpp"
#include "sim/market/indices.hpp"
#include "sim/market/session_clock.hpp"
#include "sim/market/universe.hpp"
#include "sim/record/run_log.hpp"
#include "sim/scenario/scenario.hpp"

namespace stampede {

struct RunTotals {
  std::int64_t orders = 0, trades = 0, cancels = 0;
  std::map<std::string, std::int64_t> rejections;   // reason -> count
};

class Simulation {
 public:
  // The step frame's liquidity arrays, as record_book_liquidity fills them (record_frames.cpp).
  struct LiquidityColumns;
  Simulation(const Scenario& scenario, const AgentRegistry& registry);
  ~Simulation();

  bool finished() const { return day_ >= calendar_.size(); }
  // Runs one step; returns true when the step closed a trading day (day_frame() is then fresh).
  bool step();

  const StepFrame& step_frame() const { return step_frame_; }
  const DayFrame& day_frame() const { return day_frame_; }
  // Events of kinds recorded since the last call, moved out.
  std::map<std::string, std::vector<EventRow>> take_events();
  RunHeader make_header(const Scenario& scenario, int threads) const;
  // Every member that changes during a run, the agents' included, for checkpoints
  // (simulation_checkpoint.cpp, sim/core/state_io.hpp). Only at a day boundary (between a step
  // that closed a day and the next), loading into a Simulation freshly built from the same
  // scenario; throws CheckpointError when the checkpoint does not fit it.
  void checkpoint(StateIo& io);
  bool at_day_boundary() const { return step_in_day_ == 0; }

  // Read access for drivers, summaries and tests.
  const Universe& universe() const { return universe_; }
  const TradingCalendar& calendar() const { return calendar_; }
  const SessionClock& clock() const { return clock_; }
  const AccountBook& accounts() const { return accounts_; }
  // A cheap deterministic hash of the state at the close (as exchange-core's state hash): every
  // stock's close, every account's cash, reserved cash, stock positions and futures positions.
  // Recorded per day in the run log (/state_fingerprint): equal fingerprints, equal state.
  std::uint64_t state_fingerprint() const;
  const MarketView& view() const { return view_; }
  const FuturesMarket& futures() const { return futures_; }
  const OrderBook& book(InstrumentId i) const { return books_[static_cast<std::size_t>(i)]; }
  // Today's figures per stock ([stock]; close is kNoPrice until the day closes). Sized once when
  // built (loading a checkpoint keeps the size, so the storage): the Python module's views point
  // into it, as into view().stock_last.
  const std::vector<StockDayStats>& day_stats() const { return stock_day_; }
  int step_in_day() const { return step_in_day_; }
  const std::vector<std::unique_ptr<Agent>>& agents() const { return agents_; }
  const RunTotals& totals() const { return totals_; }
  DayIndex day() const { return day_; }
  StepIndex global_step() const { return global_step_; }
  int stock_count() const { return universe_.size(); }
  Fen initial_cash() const { return initial_cash_; }
  Fen external_inflow() const { return external_in_; }
  Fen external_outflow() const { return external_out_; }
  const std::vector<std::string>& agent_classes() const { return class_names_; }
  const ClassMetrics& class_metrics(int agent_class) const { return class_metrics_[static_cast<std::size_t>(agent_class)]; }
  // Every invariant of the market's state after a step (invariants.hpp lists them); empty when
  // all hold, otherwise one line per problem. Trades are checked for the last step only: call it
  // after every step to cover a run.
  std::vector<std::string> conservation_problems() const;
  // Check the invariants after every step and throw InvariantViolation when one breaks. On by
  // default in debug builds (NDEBUG not defined); `stampede run --check-invariants` turns it on.
  // The check after each step looks at every account's cash and futures but only at the stock
  // positions of the accounts that traded or sent orders in the step (nothing else changes them
  // during a day); every position and every stock's total is checked after each close.
  // Debug builds (NDEBUG not defined, the sanitizer builds too) check every invariant after every
  // step unless told otherwise; release builds only at the end.
#ifdef NDEBUG
  static constexpr bool kChecksInvariantsByDefault = false;
#else
  static constexpr bool kChecksInvariantsByDefault = true;
#endif
  void set_check_invariants(bool on) { check_invariants_ = on; }
  bool checks_invariants() const { return check_invariants_; }

  // Wall time spent in each phase of step() since timing was turned on (benchmarks: which
  // phases run in parallel and which do not). Off by default: two clock reads per phase.
  // "decide" includes each agent's pre-trade risk check, which runs right after its decision.
  static constexpr std::size_t kPhases = 9;
  static constexpr std::array<const char*, kPhases> kPhaseNames{"decide", "route",  "match",    "settle",   "quotes_and_view",
                                                                "report", "record", "day_open", "day_close"};
  void set_phase_timing(bool on) { phase_timing_ = on; }
  const std::array<double, kPhases>& phase_seconds() const { return phase_seconds_; }

 private:
  // An order in a book's arrival queue: its arrival key and the order in its agent's buffer
  // (16 bytes to copy and sort instead of 48 with the order itself). The sending agent is the one
  // in the order's id: an agent's orders carry its own ids, and a cancel that the book accepts
  // named an order of the sender's own account.
  struct RoutedOrder { std::uint64_t key; const Order* order; };
  static constexpr std::size_t kSettleBlocks = 32;       // fixed groups of stock books (settle())
  static constexpr std::size_t kSettlePartitions = AccountBook::kPartitions;   // settle(): one thread each
  static const Order& order_of(const RoutedOrder& r) { return *r.order; }
  static std::size_t sender_of(const RoutedOrder& r) { return static_cast<std::size_t>(agent_of(r.order->id)); }
  static constexpr std::size_t kRouteGroups = 8;         // fixed groups of agents (route())
  // This step's orders for one book, in arrival order (route()).
  std::span<const RoutedOrder> routed(std::size_t book) const {
    return {routed_orders_.data() + routed_start_[book], routed_start_[book + 1] - routed_start_[book]};
  }
  void prefetch_books_after(std::size_t i, std::size_t end) const;
  struct Release { AccountId account; InstrumentId instrument; Side side; Tick price; Qty qty; };
  struct Flow { Fen sell_forced = 0, sell_voluntary = 0, sell_aggressive = 0, buy = 0; };
  static std::size_t partition_of(AccountId a) { return AccountBook::partition_of(a); }

  void begin_day();
  void end_day();
  void refresh_quotes();
  void build_view();
  void decide();
  void check_risk(std::size_t agent_index);
  void route();
  void match(bool auction);
  void settle();
  // The invariants (invariants.hpp) on the current state.
  std::vector<std::string> invariant_problems(bool all_positions) const;
  void report_agents();
  void apply_outboxes();
  void apply_transfer(AgentId agent, const CashTransfer& t);
  void attribute_trade(const Trade& t, InstrumentId stock, std::vector<Flow>& flows);
  // The run log's frames, filled from the state (record_frames.cpp): the step frame after each
  // step, its liquidity arrays book by book; the day frame in parts as end_day closes the day.
  void record_step();
  void init_liquidity_record(std::int64_t stocks_per_segment);
  void record_book_liquidity(int book, Tick last);
  void record_day_bars(DayFrame& f) const;
  void record_day_trading(DayFrame& f) const;
  void record_positions(DayFrame& f) const;
  void record_day_futures(DayFrame& f, const std::array<Tick, kFuturesSlots>& settlement) const;
  void record_day_agents(DayFrame& f) const;
  void bucket_block(std::size_t block, std::size_t stocks);
  void apply_partition(std::size_t p);
  // The sell cap's room left on one account this step, in fen at the previous closes (check_risk
  // works it out at the account's first sell of the step and spends it order by order).
  struct SellCapRoom {
    AccountId account;
    double room_fen, slack_fen;
  };
  RejectReason reserve(Order& o, AgentId agent, std::vector<SellCapRoom>& sell_cap);
  // The regulator's rules in force on the current day (the view's `rules`).
  RegulatorRules rules_in_force() const;
  // The regulator's check of a stock order of a regulated agent (is_regulated) that passed every
  // other check (reserve); orders no rule in force concerns pass.
  RejectReason check_regulator_rules(const Order& o, const Account& acc, std::vector<SellCapRoom>& sell_cap) const;
  SellCapRoom sell_cap_room(AccountId id, const Account& acc) const;
  bool is_regulated(AgentId agent) const {
    return agent_regulated_[static_cast<std::size_t>(agent)] != RegulatedAs::Unregulated;
  }
  void take_opening_holdings();
  AccountChange release_change(const Release& r) const;   // what a cancelled or rejected order frees
  bool is_futures(InstrumentId i) const { return i >= universe_.size(); }
  int slot_of(InstrumentId i) const { return i - universe_.size(); }
  void add_event(const std::string& kind, AgentId agent, InstrumentId instrument, Qty qty, double price,
                 std::string reason);
  double stock_yuan(Tick t) const { return t / 100.0; }

  // configuration
  std::uint64_t seed_;
  bool record_step_prices_;
  int microcap_rebalance_days_;
  struct RuleSchedule {
    int sell_cap_from_day, dma_ban_from_day, dma_leverage_cap_from_day;
    double sell_cap_fraction, dma_leverage_cap;
  } rule_schedule_;
  // market
  Universe universe_;
  SessionClock clock_;
  TradingCalendar calendar_;
  Fundamentals fundamentals_;
  AccountBook accounts_;
  AccountId float_account_ = 0;
  std::vector<OrderBook> books_;
  std::vector<StockDayStats> stock_day_;
  std::vector<Tick> index_price_;              // last trade or previous close, per stock
  HedgedIndex hedged_;
  std::unique_ptr<MicrocapIndex> microcap_;
  double hedged_level_ = 0, hedged_prev_close_ = 0, microcap_level_ = 0, microcap_prev_close_ = 0;
  FuturesMarket futures_;
  std::optional<MarketDriver> market_driver_;   // the real path driving the market factor, if any
  std::array<Qty, kFuturesSlots> open_interest_{};
  std::array<Qty, kFuturesSlots> step_futures_volume_{};
  // agents
  std::vector<std::unique_ptr<Agent>> agents_;
  std::vector<std::string> agent_kinds_;
  std::vector<std::vector<Order>> agent_orders_;
  std::vector<std::uint64_t> agent_sequence_;
  std::vector<std::vector<std::pair<Order, RejectReason>>> agent_rejects_;
  std::vector<std::uint32_t> agent_reject_count_;   // agent_rejects_[a].size(), contiguous
  // This step, whether all of the agent's cancels name one account in one book: then the book's
  // thread is the only one to touch that account during matching, and gives the cancelled
  // orders' reservations back itself instead of through settlement.
  std::vector<std::uint8_t> agent_releases_in_match_;
  std::vector<std::uint8_t> agent_in_order_;   // per agent: decides_in_order()
  std::vector<RegulatedAs> agent_regulated_;   // per agent: regulated_as()
  // The sell cap's base while the cap is in force: each regulated account's holdings at the open
  // (stock, shares), taken in begin_day; opening_holdings_index_[account] is its entry, or -1.
  std::vector<std::vector<std::pair<InstrumentId, Qty>>> opening_holdings_;
  std::vector<std::int32_t> opening_holdings_index_;
  std::vector<std::size_t> in_order_agents_;   // their indices, ascending (empty in most runs)
  std::vector<AgentOutbox> agent_outboxes_;
  std::vector<int> agent_class_;                 // per agent: index into class_names_
  std::vector<std::string> class_names_;         // agent classes in order of first appearance
  std::vector<AgentClassRow> class_info_;        // [class] label, section and doc, from the registry
  std::vector<ClassMetrics> agent_metrics_;      // per agent, this step's report
  std::vector<ClassMetrics> class_metrics_;      // per class, summed in agent order
  std::vector<AgentId> daily_agents_;            // agents with a row per day
  // per day, per class and segment: yuan sold (forced / voluntary / as aggressor) and bought
  std::vector<Flow> day_flows_;
  // per day, per class and stock ([class * stocks + stock]): shares bought and sold, voluntary and
  // forced (the day arrays class_bought_voluntary ... class_sold_forced). Settlement blocks write
  // disjoint stocks, so no two threads touch one element.
  enum VolumeKind : std::size_t { kBoughtVoluntary, kBoughtForced, kSoldVoluntary, kSoldForced, kVolumeKinds };
  std::array<std::vector<Qty>, kVolumeKinds> day_class_volume_;
  std::vector<int> liquidity_stocks_;            // stocks whose per-step liquidity is recorded, ascending
  std::vector<std::uint8_t> liquidity_recorded_; // per stock: 1 if in liquidity_stocks_
  std::shared_ptr<const LiquidityColumns> stock_liquidity_, futures_liquidity_;   // where record_book_liquidity writes
  std::vector<double> daily_start_nav_;          // per daily agent: NAV at the first open (its nav_per_unit base)
  // per-step working memory, reused
  std::vector<InstrumentQuote> quotes_;
  std::vector<Tick> stock_last_;               // quotes_[i].last of the stocks, for MarketView::stock_last
  MarketView view_;
  // route(): the step's orders grouped by book, book i's at routed_start_[i] .. routed_start_[i + 1];
  // per group of agents and book, first how many orders, then where the next one goes.
  std::vector<RoutedOrder> routed_orders_;
  std::vector<std::uint32_t> routed_start_;
  std::vector<std::uint32_t> route_slots_;
  // Settlement (settle()): fixed blocks of stock books, each with its account changes bucketed by
  // a fixed partition of the account ids, and its class flows.
  struct SettleBlock {
    std::array<std::vector<AccountChange>, kSettlePartitions> changes;
    std::vector<Flow> flows;
    std::vector<std::pair<AgentId, RejectReason>> rejects;   // the books' own rejections, in book order
    std::int64_t trades = 0, orders = 0;
  };
  std::array<SettleBlock, kSettleBlocks> settle_blocks_;
  std::array<std::vector<AccountChange>, kSettlePartitions> partition_scratch_;   // apply_partition()
  std::vector<std::vector<Trade>> trades_;
  std::vector<std::vector<Release>> releases_;
  std::vector<std::vector<std::pair<AgentId, RejectReason>>> book_rejects_;
  // clock
  DayIndex day_ = 0;
  int step_in_day_ = 0;
  StepIndex global_step_ = 0;
  Fen initial_cash_ = 0;
  Fen external_in_ = 0, external_out_ = 0;   // cash that entered or left the market after the start
  bool phase_timing_ = false;
  std::array<double, kPhases> phase_seconds_{};
  // invariant checking
  bool check_invariants_ = kChecksInvariantsByDefault;
  std::vector<std::pair<Tick, Tick>> day_band_;   // per instrument: the band set when the day opened
  friend struct SimulationTestAccess;             // tests break the state on purpose
  // output
  StepFrame step_frame_;
  DayFrame day_frame_;
  std::map<std::string, std::vector<EventRow>> events_;
  std::map<std::pair<std::string, std::string>, std::int64_t> day_rejections_;   // (agent kind, reason)
  RunTotals totals_;
};

}  // namespace stampede
