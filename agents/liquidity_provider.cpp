#include "agents/liquidity_provider.hpp"

#include <algorithm>
#include <boost/random/normal_distribution.hpp>
#include <cmath>

#include "agents/futures_market_maker.hpp"
#include "sim/engine/valuation.hpp"

namespace stampede {

LiquidityProvider::LiquidityProvider(const QuotingParams& p, AccountId account, InstrumentId stock,
                                     Qty target_inventory, double max_inventory_yuan, Fen starting_cash, Rng rng)
    : p_(p), account_(account), stock_(stock), target_inventory_(target_inventory),
      max_inventory_yuan_(max_inventory_yuan),
      min_cash_(static_cast<Fen>(std::llround(p.min_cash_fraction * static_cast<double>(starting_cash)))),
      skew_reference_(static_cast<double>(target_inventory)), rng_(rng),
      withdrawal_(p.withdrawal) {}

void LiquidityProvider::report(const MarketView& view, ClassMetrics& into) const {
  const AccountValue v = value_account(view, account_);
  add_account(into, v);
  mark_equity_ = v.equity();
  mark_step_ = view.step;
  mark_day_ = view.day;
}

void LiquidityProvider::end_of_day(const MarketView& view, OrderSink&) {
  if (segment_board_) segment_board_->refresh(view);
}

void LiquidityProvider::join_segment_board(std::shared_ptr<MakerSegmentBoard> board, Segment segment) {
  segment_ = segment;
  board->join(account_, stock_, segment, target_inventory_, max_inventory_yuan_);
  segment_board_ = std::move(board);
}

void LiquidityProvider::decide(const MarketView& view, OrderSink& out) {
  const InstrumentQuote& q = view.quote(stock_);
  if (prev_last_ != kNoPrice) vol_ticks_ = 0.95 * vol_ticks_ + 0.05 * std::abs(q.last - prev_last_);
  prev_last_ = q.last;

  boost::random::normal_distribution<double> normal(0.0, 1.0);
  const double fundamental_ticks = (*view.fundamental_yuan)[static_cast<std::size_t>(stock_)] * 100.0;
  double fair = p_.fair_value_weight * fundamental_ticks + (1.0 - p_.fair_value_weight) * q.last;
  fair *= 1.0 + p_.fair_value_noise * normal(rng_);

  const Account& acc = view.account(account_);
  const Qty inventory = acc.holding(stock_);
  const Qty size = static_cast<Qty>(p_.quote_lots) * 100;
  const bool marked = mark_step_ == view.step - 1 && mark_day_ == view.day && view.step_in_day > 0;
  const double equity = marked ? mark_equity_ : value_account(view, acc).equity();
  const double excess_yuan = static_cast<double>(inventory - target_inventory_) * q.last / 100.0;
  const double excess = max_inventory_yuan_ > 0 ? excess_yuan / max_inventory_yuan_ : 0.0;
  const double half = std::max<double>(p_.half_spread_ticks, p_.vol_spread_mult * vol_ticks_);
  // With resilience, the price skew is measured from a reference that moves toward the inventory
  // once a day (at the day's first decision); without, from the target, as the quote limits are.
  double skew_excess = excess;
  if (p_.inventory_skew_halflife_days > 0) {
    if (seen_day_ != view.day && seen_day_ >= 0)
      skew_reference_ += (static_cast<double>(inventory) - skew_reference_) * (1.0 - std::exp2(-1.0 / p_.inventory_skew_halflife_days));
    skew_excess = max_inventory_yuan_ > 0 ? (static_cast<double>(inventory) - skew_reference_) * q.last / 100.0 / max_inventory_yuan_ : 0.0;
  }
  // No pow() per maker and step unless the scenario asks for a convex skew.
  const double shape = p_.inventory_skew_exponent == 1.0 ? skew_excess
                                                         : skew_excess * std::pow(std::abs(skew_excess), p_.inventory_skew_exponent - 1.0);
  double skew_share = p_.inventory_skew_price_share;
  if (p_.inventory_skew_stress_share > 0) {
    if (seen_day_ != view.day) locked_share_last_close_ = locked_share_today_;
    locked_share_today_ = view.stock_count > 0 ? static_cast<double>(view.locked_limit_down_count) / view.stock_count : 0.0;
    const double stress = std::min(1.0, std::max(locked_share_today_, locked_share_last_close_) / p_.stress_limit_down_share);
    skew_share += p_.inventory_skew_stress_share * stress;
  }
  double price_skew = skew_share * shape;
  if (segment_board_) price_skew += segment_board_->shift(segment_);
  const double centre = fair * (1.0 - price_skew) - p_.inventory_skew_ticks * excess;

  Tick bid = std::clamp(static_cast<Tick>(std::floor(centre - half)), q.lower, q.upper);
  Tick ask = std::clamp(static_cast<Tick>(std::ceil(centre + half)), q.lower, q.upper);
  if (bid >= ask) {
    if (ask < q.upper) ask = bid + 1;
    else bid = ask - 1;
  }
  // Capital limit: bid only with cash to spare beyond the reserve kept free.
  const bool want_bid = excess < 1.0 && bid >= q.lower && acc.available_cash() - static_cast<Fen>(bid) * size >= min_cash_;
  const Qty ask_size = std::min(size, acc.sellable(stock_));
  const bool want_ask = excess > -1.0 && ask <= q.upper;

  // Day orders expire at the close, so only quotes of today can still rest.
  const bool untouched = seen_day_ == view.day && seen_cash_ == acc.cash && seen_holding_ == inventory;
  seen_day_ = view.day;
  seen_cash_ = acc.cash;
  seen_holding_ = inventory;
  const auto close_enough = [&](OrderId resting, Tick at, Tick target) {
    return p_.requote_threshold_ticks > 0 && untouched && resting != 0 && std::abs(target - at) < p_.requote_threshold_ticks;
  };
  bool keep_bid = want_bid && close_enough(bid_, bid_price_, bid);
  bool keep_ask = want_ask && close_enough(ask_, ask_price_, ask);
  // Never a kept quote that the other side's new quote would cross (near the band's bounds).
  if (keep_bid && !keep_ask && want_ask && ask <= bid_price_) keep_bid = false;
  if (keep_ask && !keep_bid && want_bid && bid >= ask_price_) keep_ask = false;
  if (bid_ && !keep_bid) out.cancel(account_, stock_, bid_), bid_ = 0;
  if (ask_ && !keep_ask) out.cancel(account_, stock_, ask_), ask_ = 0;

  if (withdrawal_.stand_aside(view, equity, inventory, size, stock_, out)) {
    if (bid_) out.cancel(account_, stock_, bid_);
    if (ask_) out.cancel(account_, stock_, ask_);
    bid_ = ask_ = 0;
    return;
  }
  if (want_bid && !keep_bid) {
    bid_ = out.limit(account_, stock_, Side::Buy, bid, size, OrderReason::Quote);
    bid_price_ = bid;
  }
  if (want_ask && !keep_ask && ask_size > 0) {
    ask_ = out.limit(account_, stock_, Side::Sell, ask, ask_size, OrderReason::Quote);
    ask_price_ = ask;
  }
}

namespace {

// The [liquidity_providers] section: the stock makers' quoting rules, the futures makers' own
// terms on top of them, and how both are endowed. Percent keys stay in percent here; populate
// turns them into the shares QuotingParams holds.
struct LiquidityProvidersSection {
  int per_stock = 2;
  int per_future = 4;
  double capital_yuan = 5.0e6;
  double inventory_yuan = 2.0e6;
  double futures_capital_yuan = 2.0e8;
  // The scenario default of requote_threshold_ticks (2) is not QuotingParams' own (0, the model
  // before the key), which the tests that build makers directly keep.
  QuotingParams quoting = [] {
    QuotingParams q;
    q.requote_threshold_ticks = 2;
    return q;
  }();
  double inventory_skew_pct = 0.0;
  double inventory_skew_stress_pct = 0.0;
  double segment_skew_pct = 0.0;
  double segment_skew_halflife_days = 5.0;
  double max_inventory_yuan = 4.0e6;
  double depth_cap_elasticity = 0.0;
  double depth_reference_cap_yuan = 2.5e9;
  double futures_withdraw_flow_threshold = 30.0;
  double futures_fair_value_weight = 0.9;
  double futures_fair_value_noise = 0.0005;
  double futures_inventory_skew_pct = 1.0;
  double futures_locked_markdown = 0.0;
  double futures_absorb_skew_pct = 0.0;
  double futures_absorb_capacity_yuan = 1e9;
  int futures_absorb_from_day = 1;
  double futures_absorb_halflife_days = 0.0;
};

ParamBinder<LiquidityProvidersSection> section_binder() {
  using S = LiquidityProvidersSection;
  using Q = QuotingParams;
  using W = WithdrawalParams;
  auto quoting = [](auto member) { return path(&S::quoting, member); };
  auto withdrawal = [](auto member) { return path(&S::quoting, &Q::withdrawal, member); };
  ParamBinder<S> b{"liquidity_providers"};
  b.bind(&S::per_stock, "per_stock", 0, 20, "", "market makers quoting each stock");
  b.bind(&S::per_future, "per_future", 0, 50, "", "market makers quoting each futures contract");
  b.bind(&S::capital_yuan, "capital_yuan", 0, 1e12, "yuan", "cash of each stock market maker");
  b.bind(&S::inventory_yuan, "inventory_yuan", 0, 1e12, "yuan",
         "value of shares each stock market maker holds at the start");
  b.bind(&S::futures_capital_yuan, "futures_capital_yuan", 0, 1e13, "yuan", "cash of each futures market maker");
  b.bind(quoting(&Q::half_spread_ticks), "half_spread_ticks", 1, 1000, "ticks", "minimum half spread");
  b.bind(quoting(&Q::vol_spread_mult), "vol_spread_mult", 0, 100, "", "half spread added per tick of recent volatility")
      .long_doc("half spread added per unit of recent volatility measured in ticks");
  b.bind(quoting(&Q::inventory_skew_ticks), "inventory_skew_ticks", 0, 1000, "ticks",
         "quote shift when inventory is one max_inventory away from target")
      .long_doc("how far quotes shift when inventory is one max_inventory away from target");
  b.bind(&S::inventory_skew_pct, "inventory_skew_pct", 0, 100, "percent of the price",
         "stock makers: quote shift (on top of inventory_skew_ticks) when inventory is one max_inventory away from "
         "target: the price impact of a flow the makers absorb (0 = none)")
      .long_doc("stock makers: how far quotes shift, as a share of the fair price, when inventory is one "
                "max_inventory above target (down) or below it (up), on top of `inventory_skew_ticks`: the price "
                "impact of a flow the makers absorb. A fire sale leaves the makers long and prices below value until "
                "other buyers take the stock off their hands (0 = none)");
  b.bind(quoting(&Q::inventory_skew_exponent), "inventory_skew_exponent", 1, 4, "",
         "stock makers: how the inventory_skew_pct shift grows with the excess x (a share of max_inventory): x "
         "|x|^(exponent - 1); 1 = linear, 2 = convex (everyday inventory costs little, a maker near its limit marks "
         "steeply)")
      .long_doc("stock makers: how the `inventory_skew_pct` shift grows with the excess x (inventory off target as a "
                "share of max_inventory): x·|x|^(exponent − 1). 1 = linear; 2 = convex: the everyday inventory of "
                "two-sided trading costs little, while a maker near its limit after a one-sided flow marks its "
                "quotes steeply");
  b.bind(quoting(&Q::inventory_skew_halflife_days), "inventory_skew_halflife_days", 0, 1000, "trading days",
         "stock makers: resilience of the inventory_skew_pct shift: the inventory it is measured from moves halfway "
         "toward what the maker holds every this many trading days, so the gap a burst of one-sided flow opens closes "
         "over days even before buyers return (0 = never: the gap lasts as long as the inventory)")
      .long_doc("stock makers: resilience of the `inventory_skew_pct` (and stress) shift: the inventory it is "
                "measured from moves halfway toward what the maker holds every this many trading days, so the gap a "
                "burst of one-sided flow opens closes over days even before buyers return (0 = never: the gap lasts "
                "as long as the inventory). Quote limits stay on the inventory itself");
  b.bind(&S::inventory_skew_stress_pct, "inventory_skew_stress_pct", 0, 100, "percent of the price",
         "stock makers: added to inventory_skew_pct in a stressed market, in proportion to the stress (the share of "
         "all stocks locked limit-down, now or at the last close, over stress_limit_down_share, at most 1): makers' "
         "tolerance for inventory falls as the market locks up, so a fire sale moves prices far more than everyday "
         "flow of the same size (0 = none)")
      .long_doc("stock makers: added to `inventory_skew_pct` in a stressed market, in proportion to the stress: the "
                "share of all stocks locked limit-down (now, or at the last close if more) over "
                "`stress_limit_down_share`, at most 1. Makers' tolerance for inventory falls as the market locks up, "
                "so a fire sale moves prices far more than everyday flow of the same size (0 = none)");
  b.bind(&S::segment_skew_pct, "segment_skew_pct", 0, 1000, "percent of the price",
         "makers of the small caps outside the hedged index: quote shift when they together hold their whole "
         "max_inventory above their reference: the price impact of a flow the segment absorbs on balance, which "
         "everyday rebalancing nets out of (0 = none)")
      .long_doc(
          "makers of the small caps outside the hedged index: how far quotes shift, as a share of the fair "
          "price, when these makers together hold their whole max_inventory above their reference (down; up "
          "when below), measured after each close (agents/maker_segment_board.hpp). Small caps cannot be "
          "shorted in size and no future tracks them, so their makers carry the segment's net one-sided flow "
          "together: days of redemptions and margin calls mark every small cap down, while everyday "
          "rebalancing (one name sold, another bought) nets out. Index members' and large caps' makers hedge "
          "with index futures and carry no such mark (0 = none)");
  b.bind(&S::segment_skew_halflife_days, "segment_skew_halflife_days", 0, 1000, "trading days",
         "stock makers: resilience of the segment_skew_pct shift: each maker's reference moves halfway toward what it "
         "holds every this many trading days (0 = never)")
      .long_doc(
          "stock makers: resilience of the `segment_skew_pct` shift: each maker's reference moves halfway "
          "toward what it holds every this many trading days, as the makers come to carry (or lay off) what "
          "they absorbed (0 = never: the shift lasts as long as the inventory)");
  b.bind(quoting(&Q::stress_limit_down_share), "stress_limit_down_share", 0.001, 1, "share of stocks",
         "stock makers: share of all stocks locked limit-down at which the market counts as fully stressed (see "
         "inventory_skew_stress_pct)")
      .long_doc("stock makers: share of all stocks locked limit-down at which the market counts as fully stressed "
                "(see `inventory_skew_stress_pct`)");
  b.bind(&S::depth_cap_elasticity, "depth_cap_elasticity", 0, 2, "",
         "stock makers: how their cash, inventory, max_inventory_yuan and quote size scale with the stock's market "
         "cap: x (cap / depth_reference_cap_yuan)^this (0 = the same in every stock; 0.5 = four times the cap, twice "
         "the depth)")
      .long_doc("stock makers: their cash, inventory, `max_inventory_yuan` and quote size scale with the stock's "
                "market cap as (cap / `depth_reference_cap_yuan`)^this, so larger stocks have deeper books (0.5: "
                "four times the cap, twice the depth). 0 = the same makers in every stock");
  b.bind(&S::depth_reference_cap_yuan, "depth_reference_cap_yuan", 1e6, 1e13, "yuan",
         "stock makers: the market cap at which their resources are the section's values (see depth_cap_elasticity)")
      .long_doc("stock makers: the market cap at which their resources are the section's values (see "
                "`depth_cap_elasticity`)");
  b.bind(quoting(&Q::quote_lots), "quote_lots", 1, 100000, "lots (contracts for futures)", "size of each quote");
  b.bind(quoting(&Q::fair_value_weight), "fair_value_weight", 0, 1, "",
         "weight of the latent fundamental value (vs the last price) in the fair value")
      .long_doc("weight of the latent fundamental value (vs the last price) in the fair-value estimate");
  b.bind(quoting(&Q::fair_value_noise), "fair_value_noise", 0, 1, "",
         "relative noise of each maker's fair-value estimate")
      .long_doc("noise of each maker's fair-value estimate");
  b.bind(&S::max_inventory_yuan, "max_inventory_yuan", 0, 1e12, "yuan",
         "inventory beyond which a maker quotes one side only");
  b.bind(quoting(&Q::min_cash_fraction), "min_cash_fraction", 0, 1, "",
         "share of its starting cash a stock maker keeps free: no bid that would spend it")
      .long_doc("share of its starting cash a stock maker keeps free: it sends no bid that would spend it (capital "
                "limit)");
  b.bind(quoting(&Q::requote_threshold_ticks), "requote_threshold_ticks", 0, 1000, "ticks",
         "a stock maker's quote that nothing filled since the last step stays in the book (keeping its time priority) "
         "until its target price moves this many ticks away from it (0 = cancel and re-send both quotes every step)")
      .long_doc("a stock maker's quote that nothing has filled since the last step stays in the book, keeping its "
                "time priority, until the maker's target price for it moves this many ticks away (2: quotes within a "
                "tick of the target stay); any fill, a new day or a withdrawal re-sends both quotes. 0 = cancel and "
                "re-send both quotes every step (the model before this key)");
  b.bind(withdrawal(&W::loss_fraction), "withdraw_loss_fraction", 0, 1, "",
         "a maker stops quoting when its marked loss since the day's open (or its return) passes this share of its "
         "equity then (0 = never)")
      .long_doc("a maker (stock or futures) cancels its quotes and quotes nothing when its marked loss since the "
                "day's open, or since it last came back, passes this share of its equity at that point (0 = never)");
  b.bind(withdrawal(&W::flow_window_steps), "withdraw_flow_window_steps", 1, 1000, "steps",
         "window over which one-sided flow is measured")
      .long_doc("window over which a maker's one-sided flow is measured");
  b.bind(withdrawal(&W::flow_threshold), "withdraw_flow_threshold", 0, 1e6, "quote sizes",
         "a maker stops quoting when its net fills over the window pass this many quote sizes (0 = never)")
      .long_doc("a maker also withdraws when its net fills over the window (shares or contracts bought minus sold) "
                "pass this many quote sizes (0 = never)");
  b.bind(&S::futures_withdraw_flow_threshold, "futures_withdraw_flow_threshold", 0, 1e6, "quote sizes",
         "the same for futures makers, in their quote sizes (0 = never)")
      .long_doc("the same for futures makers, in their quote sizes (contracts): they absorb hedging flow in size (0 "
                "= never)");
  b.bind(&S::futures_fair_value_weight, "futures_fair_value_weight", 0, 1, "",
         "futures makers: weight of the index-implied price (index x carry at futures.initial_basis_annual) vs the "
         "last futures price in the fair value")
      .long_doc("futures makers: weight of the index-implied price (index × carry at `futures.initial_basis_annual`) "
                "vs the last futures price in the fair value");
  b.bind(&S::futures_fair_value_noise, "futures_fair_value_noise", 0, 1, "",
         "futures makers: relative noise of the fair-value estimate");
  b.bind(&S::futures_inventory_skew_pct, "futures_inventory_skew_pct", 0, 100, "percent of the index",
         "futures makers: quote shift when the position reaches the maker's limit (a third of its cash as margin); "
         "sets how far hedging imbalance moves the basis")
      .long_doc("futures makers: quote shift when the position reaches the maker's limit (a third of its cash as "
                "margin). A-share short-selling limits keep arbitrageurs from closing a discount, so this sets how "
                "far a hedging imbalance moves the basis");
  b.bind(&S::futures_locked_markdown, "futures_locked_markdown", 0, 1, "of a member's level",
         "futures makers: how far below its last price they value a hedged-index member locked limit-down (the index "
         "is stale: its locked members cannot be sold at their quoted limit); 0 = trust the index");
  b.bind(&S::futures_absorb_skew_pct, "futures_absorb_skew_pct", 0, 100, "percent of the index",
         "futures makers: quote shift down per futures_absorb_capacity_yuan (per maker) of long futures the makers "
         "bought beyond the book they carry: hedging a long futures book takes stocks to short, which A-share "
         "lending limits ration (0 = none)")
      .long_doc(
          "futures makers: how far their quotes shift down, as a share of the index, per "
          "`futures_absorb_capacity_yuan` (per maker) of long futures the makers together bought beyond the book "
          "they carry (all contracts: a roll moves contracts between makers, not off the desk). Hedging a long "
          "futures book takes the index's stocks sold short, which A-share lending limits ration, so futures "
          "sales the makers absorb (snowball issuers dumping hedges at knock-in, hedgers adding shorts) deepen "
          "the discount; a short book costs nothing extra, since a premium is closed by buying the stocks, "
          "which anyone can. The carried book is the one held before `futures_absorb_from_day`, then moves "
          "toward the book with `futures_absorb_halflife_days` (0 = none)");
  b.bind(&S::futures_absorb_capacity_yuan, "futures_absorb_capacity_yuan", 1e6, 1e13, "yuan",
         "futures makers: long notional per maker bought beyond the carried book that shifts quotes by "
         "futures_absorb_skew_pct")
      .long_doc(
          "futures makers: long futures notional (index × multiplier per contract) per maker bought beyond the "
          "carried book that shifts their quotes down by `futures_absorb_skew_pct`");
  b.bind(&S::futures_absorb_from_day, "futures_absorb_from_day", 0, 100000, "trading days",
         "futures makers: the book held before this trading day (0 = the first) is carried at no cost: the hedges "
         "a run opens in its first days stand in for books that existed before it")
      .long_doc(
          "futures makers: the book they hold together before this trading day (0 = the first) is the book "
          "they carry at no cost: the hedges a run opens in its first days stand in for books that existed "
          "before it (see `futures_absorb_skew_pct`)");
  b.bind(&S::futures_absorb_halflife_days, "futures_absorb_halflife_days", 0, 1000, "trading days",
         "futures makers: the carried book moves halfway toward the book held every this many trading days, as they "
         "line up stock to borrow (0 = never)")
      .long_doc(
          "futures makers: from `futures_absorb_from_day`, the book they carry moves halfway toward the book "
          "they hold every this many trading days, as they line up stock to borrow, so a discount opened by a "
          "burst of futures sales closes over days (0 = never)");
  b.bind(withdrawal(&W::cooldown_minutes), "withdraw_cooldown_minutes", 0, 1e5, "minutes",
         "continuous trading minutes a withdrawn maker stays away")
      .long_doc("minutes of continuous trading a withdrawn maker stays away (carried into the next day)");
  return b;
}

void populate(const LiquidityProvidersSection& sec, const Scenario& s, WorldSetup& setup) {
  QuotingParams p = sec.quoting;
  p.inventory_skew_price_share = sec.inventory_skew_pct / 100.0;
  p.inventory_skew_stress_share = sec.inventory_skew_stress_pct / 100.0;
  const Universe& u = setup.universe();
  // One pooled book per world, shared by the small caps' makers (none when the key is 0: as before).
  std::shared_ptr<MakerSegmentBoard> segment_board;
  if (sec.segment_skew_pct > 0)
    segment_board = std::make_shared<MakerSegmentBoard>(sec.segment_skew_pct / 100.0, sec.segment_skew_halflife_days);
  for (int i = 0; i < u.size(); ++i) {
    // Deeper books in larger stocks: every resource of a stock's makers scales with its market cap
    // (exactly 1 at elasticity 0, so such scenarios run as before).
    const double depth = sec.depth_cap_elasticity == 0.0
                             ? 1.0
                             : std::pow(u.first_market_cap_yuan(i) / sec.depth_reference_cap_yuan, sec.depth_cap_elasticity);
    QuotingParams stock_p = p;
    stock_p.quote_lots = std::max(1, static_cast<int>(std::lround(p.quote_lots * depth)));
    const Fen capital = static_cast<Fen>(std::llround(sec.capital_yuan * depth * 100.0));
    for (int k = 0; k < sec.per_stock; ++k) {
      const AgentId id = setup.next_agent_id();
      const AccountId acc = setup.open_account(id, capital);
      const Qty target =
          setup.grant_shares(acc, i, static_cast<Qty>(sec.inventory_yuan * depth / (u.first_price[i] / 100.0)));
      auto maker =
          std::make_unique<LiquidityProvider>(stock_p, acc, i, target, sec.max_inventory_yuan * depth, capital,
                                              make_stream(setup.seed(), "agent", static_cast<std::uint64_t>(id)));
      // Only the small caps outside the hedged index: a maker long index members or large caps
      // hedges the segment's move with index futures (its flow reaches the basis instead).
      if (segment_board && u.segment[static_cast<std::size_t>(i)] == Segment::Microcap)
        maker->join_segment_board(segment_board, Segment::Microcap);
      setup.add_agent(std::move(maker));
    }
  }
  const int per_future = sec.per_future;
  const Fen futures_capital = static_cast<Fen>(std::llround(sec.futures_capital_yuan * 100.0));
  QuotingParams fp = p;   // futures makers absorb hedging flow in size: their own flow threshold
  fp.withdrawal.flow_threshold = sec.futures_withdraw_flow_threshold;
  fp.fair_value_weight = sec.futures_fair_value_weight;
  fp.fair_value_noise = sec.futures_fair_value_noise;
  fp.inventory_skew_index_share = sec.futures_inventory_skew_pct / 100.0;
  fp.locked_markdown = sec.futures_locked_markdown;
  fp.absorb_skew_index_share = sec.futures_absorb_skew_pct / 100.0;
  fp.absorb_capacity_yuan = sec.futures_absorb_capacity_yuan;
  fp.absorb_from_day = sec.futures_absorb_from_day;
  fp.absorb_halflife_days = sec.futures_absorb_halflife_days;
  // The makers' accounts, shared: together they are the desk whose book sets the absorb skew.
  auto desk = std::make_shared<std::vector<AccountId>>();
  for (int slot = 0; slot < kFuturesSlots; ++slot)
    for (int k = 0; k < per_future; ++k) {
      const AgentId id = setup.next_agent_id();
      const AccountId acc = setup.open_account(id, futures_capital);
      desk->push_back(acc);
      setup.add_agent(
          std::make_unique<FuturesMarketMaker>(fp, acc, slot, s.get_float("futures.initial_basis_annual"),
                                               make_stream(setup.seed(), "agent", static_cast<std::uint64_t>(id)),
                                               desk));
    }
}

}  // namespace

AgentKind liquidity_providers_kind() {
  return bound_agent_kind(section_binder(), populate, {kLiquidityProviderClass, kFuturesMarketMakerClass});
}

}  // namespace stampede
