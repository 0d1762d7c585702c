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
  into.cash += v.cash;
  into.gross_long += v.long_value;
  into.futures_notional += v.futures_notional;
  into.equity += v.equity();
  into.nav += v.equity();
  into.accounts += 1;
  mark_equity_ = v.equity();
  mark_step_ = view.step;
  mark_day_ = view.day;
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
  const double price_skew = skew_share * shape;
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

const SectionSpec spec{"liquidity_providers"};

QuotingParams quoting_params(const Scenario& s) {
  QuotingParams p;
  p.half_spread_ticks = static_cast<int>(s.get_int("liquidity_providers.half_spread_ticks"));
  p.vol_spread_mult = s.get_float("liquidity_providers.vol_spread_mult");
  p.inventory_skew_ticks = s.get_float("liquidity_providers.inventory_skew_ticks");
  p.inventory_skew_price_share = s.get_float("liquidity_providers.inventory_skew_pct") / 100.0;
  p.inventory_skew_exponent = s.get_float("liquidity_providers.inventory_skew_exponent");
  p.inventory_skew_halflife_days = s.get_float("liquidity_providers.inventory_skew_halflife_days");
  p.inventory_skew_stress_share = s.get_float("liquidity_providers.inventory_skew_stress_pct") / 100.0;
  p.stress_limit_down_share = s.get_float("liquidity_providers.stress_limit_down_share");
  p.quote_lots = static_cast<int>(s.get_int("liquidity_providers.quote_lots"));
  p.fair_value_weight = s.get_float("liquidity_providers.fair_value_weight");
  p.fair_value_noise = s.get_float("liquidity_providers.fair_value_noise");
  p.min_cash_fraction = s.get_float("liquidity_providers.min_cash_fraction");
  p.requote_threshold_ticks = static_cast<int>(s.get_int("liquidity_providers.requote_threshold_ticks"));
  p.withdrawal.loss_fraction = s.get_float("liquidity_providers.withdraw_loss_fraction");
  p.withdrawal.flow_window_steps = static_cast<int>(s.get_int("liquidity_providers.withdraw_flow_window_steps"));
  p.withdrawal.flow_threshold = s.get_float("liquidity_providers.withdraw_flow_threshold");
  p.withdrawal.cooldown_minutes = s.get_float("liquidity_providers.withdraw_cooldown_minutes");
  return p;
}

void populate(const Scenario& s, WorldSetup& setup) {
  const QuotingParams p = quoting_params(s);
  const Universe& u = setup.universe();
  const int per_stock = static_cast<int>(s.get_int("liquidity_providers.per_stock"));
  const double capital_yuan = s.get_float("liquidity_providers.capital_yuan");
  const double inventory_yuan = s.get_float("liquidity_providers.inventory_yuan");
  const double max_inventory = s.get_float("liquidity_providers.max_inventory_yuan");
  const double elasticity = s.get_float("liquidity_providers.depth_cap_elasticity");
  const double reference_cap = s.get_float("liquidity_providers.depth_reference_cap_yuan");
  for (int i = 0; i < u.size(); ++i) {
    // Deeper books in larger stocks: every resource of a stock's makers scales with its market cap
    // (exactly 1 at elasticity 0, so such scenarios run as before).
    const double depth = elasticity == 0.0 ? 1.0 : std::pow(u.first_market_cap_yuan(i) / reference_cap, elasticity);
    QuotingParams stock_p = p;
    stock_p.quote_lots = std::max(1, static_cast<int>(std::lround(p.quote_lots * depth)));
    const Fen capital = static_cast<Fen>(std::llround(capital_yuan * depth * 100.0));
    for (int k = 0; k < per_stock; ++k) {
      const AgentId id = setup.next_agent_id();
      const AccountId acc = setup.open_account(id, capital);
      const Qty target = setup.grant_shares(acc, i, static_cast<Qty>(inventory_yuan * depth / (u.first_price[i] / 100.0)));
      setup.add_agent(std::make_unique<LiquidityProvider>(stock_p, acc, i, target, max_inventory * depth, capital,
                                                          make_stream(setup.seed(), "agent", static_cast<std::uint64_t>(id))));
    }
  }
  const int per_future = static_cast<int>(s.get_int("liquidity_providers.per_future"));
  const Fen futures_capital = static_cast<Fen>(std::llround(s.get_float("liquidity_providers.futures_capital_yuan") * 100.0));
  QuotingParams fp = p;   // futures makers absorb hedging flow in size: their own flow threshold
  fp.withdrawal.flow_threshold = s.get_float("liquidity_providers.futures_withdraw_flow_threshold");
  fp.fair_value_weight = s.get_float("liquidity_providers.futures_fair_value_weight");
  fp.fair_value_noise = s.get_float("liquidity_providers.futures_fair_value_noise");
  fp.inventory_skew_index_share = s.get_float("liquidity_providers.futures_inventory_skew_pct") / 100.0;
  fp.locked_markdown = s.get_float("liquidity_providers.futures_locked_markdown");
  for (int slot = 0; slot < kFuturesSlots; ++slot)
    for (int k = 0; k < per_future; ++k) {
      const AgentId id = setup.next_agent_id();
      const AccountId acc = setup.open_account(id, futures_capital);
      setup.add_agent(std::make_unique<FuturesMarketMaker>(fp, acc, slot, s.get_float("futures.initial_basis_annual"),
                                                           make_stream(setup.seed(), "agent", static_cast<std::uint64_t>(id))));
    }
}

}  // namespace

AgentKind liquidity_providers_kind() {
  using T = ParamType;
  return AgentKind{
      "liquidity_providers",
      {
          spec("per_stock", T::Int, std::int64_t{2}, 0, 20, "", "market makers quoting each stock"),
          spec("per_future", T::Int, std::int64_t{4}, 0, 50, "", "market makers quoting each futures contract"),
          spec("capital_yuan", T::Float, 5.0e6, 0, 1e12, "yuan", "cash of each stock market maker"),
          spec("inventory_yuan", T::Float, 2.0e6, 0, 1e12, "yuan", "value of shares each stock market maker holds at the start"),
          spec("futures_capital_yuan", T::Float, 2.0e8, 0, 1e13, "yuan", "cash of each futures market maker"),
          spec("half_spread_ticks", T::Int, std::int64_t{2}, 1, 1000, "ticks", "minimum half spread"),
          spec("vol_spread_mult", T::Float, 1.5, 0, 100, "", "half spread added per tick of recent volatility"),
          spec("inventory_skew_ticks", T::Float, 2.0, 0, 1000, "ticks", "quote shift when inventory is one max_inventory away from target"),
          spec("inventory_skew_pct", T::Float, 0.0, 0, 100, "percent of the price", "stock makers: quote shift (on top of inventory_skew_ticks) when inventory is one max_inventory away from target: the price impact of a flow the makers absorb (0 = none)"),
          spec("inventory_skew_exponent", T::Float, 1.0, 1, 4, "", "stock makers: how the inventory_skew_pct shift grows with the excess x (a share of max_inventory): x |x|^(exponent - 1); 1 = linear, 2 = convex (everyday inventory costs little, a maker near its limit marks steeply)"),
          spec("inventory_skew_halflife_days", T::Float, 0.0, 0, 1000, "trading days", "stock makers: resilience of the inventory_skew_pct shift: the inventory it is measured from moves halfway toward what the maker holds every this many trading days, so the gap a burst of one-sided flow opens closes over days even before buyers return (0 = never: the gap lasts as long as the inventory)"),
          spec("inventory_skew_stress_pct", T::Float, 0.0, 0, 100, "percent of the price", "stock makers: added to inventory_skew_pct in a stressed market, in proportion to the stress (the share of all stocks locked limit-down, now or at the last close, over stress_limit_down_share, at most 1): makers' tolerance for inventory falls as the market locks up, so a fire sale moves prices far more than everyday flow of the same size (0 = none)"),
          spec("stress_limit_down_share", T::Float, 0.1, 0.001, 1, "share of stocks", "stock makers: share of all stocks locked limit-down at which the market counts as fully stressed (see inventory_skew_stress_pct)"),
          spec("depth_cap_elasticity", T::Float, 0.0, 0, 2, "", "stock makers: how their cash, inventory, max_inventory_yuan and quote size scale with the stock's market cap: x (cap / depth_reference_cap_yuan)^this (0 = the same in every stock; 0.5 = four times the cap, twice the depth)"),
          spec("depth_reference_cap_yuan", T::Float, 2.5e9, 1e6, 1e13, "yuan", "stock makers: the market cap at which their resources are the section's values (see depth_cap_elasticity)"),
          spec("quote_lots", T::Int, std::int64_t{10}, 1, 100000, "lots (contracts for futures)", "size of each quote"),
          spec("fair_value_weight", T::Float, 0.3, 0, 1, "", "weight of the latent fundamental value (vs the last price) in the fair value"),
          spec("fair_value_noise", T::Float, 0.002, 0, 1, "", "relative noise of each maker's fair-value estimate"),
          spec("max_inventory_yuan", T::Float, 4.0e6, 0, 1e12, "yuan", "inventory beyond which a maker quotes one side only"),
          spec("min_cash_fraction", T::Float, 0.1, 0, 1, "", "share of its starting cash a stock maker keeps free: no bid that would spend it"),
          spec("requote_threshold_ticks", T::Int, std::int64_t{2}, 0, 1000, "ticks", "a stock maker's quote that nothing filled since the last step stays in the book (keeping its time priority) until its target price moves this many ticks away from it (0 = cancel and re-send both quotes every step)"),
          spec("withdraw_loss_fraction", T::Float, 0.03, 0, 1, "", "a maker stops quoting when its marked loss since the day's open (or its return) passes this share of its equity then (0 = never)"),
          spec("withdraw_flow_window_steps", T::Int, std::int64_t{20}, 1, 1000, "steps", "window over which one-sided flow is measured"),
          spec("withdraw_flow_threshold", T::Float, 10.0, 0, 1e6, "quote sizes", "a maker stops quoting when its net fills over the window pass this many quote sizes (0 = never)"),
          spec("futures_withdraw_flow_threshold", T::Float, 30.0, 0, 1e6, "quote sizes", "the same for futures makers, in their quote sizes (0 = never)"),
          spec("futures_fair_value_weight", T::Float, 0.9, 0, 1, "", "futures makers: weight of the index-implied price (index x carry at futures.initial_basis_annual) vs the last futures price in the fair value"),
          spec("futures_fair_value_noise", T::Float, 0.0005, 0, 1, "", "futures makers: relative noise of the fair-value estimate"),
          spec("futures_inventory_skew_pct", T::Float, 1.0, 0, 100, "percent of the index", "futures makers: quote shift when the position reaches the maker's limit (a third of its cash as margin); sets how far hedging imbalance moves the basis"),
          spec("futures_locked_markdown", T::Float, 0.0, 0, 1, "of a member's level", "futures makers: how far below its last price they value a hedged-index member locked limit-down (the index is stale: its locked members cannot be sold at their quoted limit); 0 = trust the index"),
          spec("withdraw_cooldown_minutes", T::Float, 30.0, 0, 1e5, "minutes", "continuous trading minutes a withdrawn maker stays away"),
      },
      populate};
}

}  // namespace stampede
