#include "agents/hedged_basket.hpp"

// The keys of the hedged-basket strategy, shared by every section that runs it ("neutral_funds",
// "dma"): declared once here, read by the loader, the docs and the Python tools.
namespace stampede {

ParamBinder<BasketParams> basket_binder(const std::string& section) {
  using P = BasketParams;
  ParamBinder<P> b{section};
  b.bind(&P::basket_size, "basket_size", 1, 5000, "stocks", "stocks in each long basket (equal weights)");
  b.bind(&P::crowding, "crowding", 0, 1, "",
         "correlation of two accounts' stock scores: weight of the common signal vs each account's own noise");
  b.bind(&P::size_weight, "size_weight", 0, 100, "",
         "weight of smallness (-log market cap, standardised) in the common signal");
  b.bind(&P::reversal_weight, "reversal_weight", 0, 100, "",
         "weight of short-term reversal (-return over reversal_days, standardised) in the common signal");
  b.bind(&P::alpha_weight, "alpha_weight", 0, 100, "",
         "weight of the stocks' alphas (standardised; fundamentals.alpha_dispersion_annual) in the common signal: "
         "the funds' stock-picking skill");
  b.bind(&P::reversal_days, "reversal_days", 1, 250, "trading days", "look-back of the reversal signal");
  b.bind(&P::style_dispersion, "style_dispersion", 0, 5, "",
         "lognormal sigma of each account's own size, reversal and alpha weights");
  b.bind(&P::turnover_per_day, "turnover_per_day", 0, 10, "1/day",
         "voluntary trading per day, buys plus sells, as a share of the long basket");
  b.bind(&P::rebalance_every_steps, "rebalance_every_steps", 1, 100000, "steps",
         "continuous steps between voluntary rebalancing rounds (the first continuous step of a day always is one)");
  b.bind(&P::orders_per_round, "orders_per_round", 1, 100000, "orders",
         "a voluntary round trades at most this many stocks per side, the largest deviations from target first");
  b.bind(&P::trade_band, "trade_band", 0, 10, "",
         "a holding is traded only when it is off its target by more than this share of the per-stock target");
  b.bind(&P::forced_reprice_steps, "forced_reprice_steps", 1, 100000, "steps",
         "a forced sell rests at least this many steps before it is re-priced to the market (one at the price wanted "
         "stays)");
  b.bind(&P::roll_days_before_expiry, "roll_days_before_expiry", 0, 60, "calendar days",
         "the futures short moves from the front to the next contract this close to the front's expiry");
  b.bind(&P::aggressiveness_ticks, "aggressiveness_ticks", 0, 10000, "ticks",
         "voluntary orders are priced this far through the best opposite quote (stocks: 0.01 yuan; futures: one "
         "futures tick)");
  b.bind(&P::hedge_ratio, "hedge_ratio", 0, 10, "", "futures short notional per yuan of long basket (beta hedge)");
  b.bind(&P::hedge_tolerance, "hedge_tolerance", 0, 1, "",
         "the short is re-sized when it is off the exact hedge by more than half a contract plus this share of it");
  b.bind(&P::cash_buffer, "cash_buffer", 0, 1, "",
         "cash kept free beyond futures margin, as a share of the long target (buys stop there)");
  b.bind(&P::style_cut_drawdown, "style_cut_drawdown", 0, 1, "",
         "the manager cuts the size tilt once the basket has lost this share of its value against the hedged index "
         "from its best (close to close); 0 = never")
      .long_doc(
          "the manager's style cut: once the basket has lost this share of its value against the hedged index "
          "from its best (an excess drawdown, close to close), the weight of smallness in the account's score "
          "falls by `style_cut_share` for the rest of the run, and the daily turnover moves the book from the "
          "smallest names toward larger ones and the index's members: quant managers cutting a crowded style "
          "that has turned against them sell the small caps against the index (0 = never)");
  b.bind(&P::style_cut_share, "style_cut_share", 0, 1, "",
         "share of the size weight the style cut removes (see style_cut_drawdown)");
  b.bind(&P::hedge_cost_cut_from, "hedge_cost_cut_from", 0, 10, "1/year",
         "annualised discount of the hedge contract at the last close (its last trade against the hedged index's "
         "close) beyond which the manager holds a smaller book (see hedge_cost_cut_slope)");
  b.bind(&P::hedge_cost_cut_slope, "hedge_cost_cut_slope", 0, 100, "",
         "share of the long target cut per unit of annualised discount beyond hedge_cost_cut_from; 0 = never")
      .long_doc(
          "hedge-cost sizing: a hedged book earns its alpha less the discount its short gives up, so when the hedge "
          "contract's annualised discount at the last close is beyond `hedge_cost_cut_from` the manager holds a "
          "long book smaller by this share per unit of discount beyond it (at most `hedge_cost_cut_max`), sold "
          "through the voluntary turnover and bought back as the discount closes. The snowball issuers' knock-in "
          "sales of futures deepen the discount, and the funds then sell small caps against the index (0 = never)");
  b.bind(&P::hedge_cost_cut_max, "hedge_cost_cut_max", 0, 1, "",
         "largest share of the long target the hedge-cost sizing cuts (see hedge_cost_cut_slope)");
  b.bind(&P::index_share, "index_share", 0, 1, "",
         "share of the basket held in the hedged index's members (the best-scored of them), the rest the best-scored "
         "of all candidates: a fund benchmarked to the index it hedges keeps part of its book in it (0 = by score "
         "alone)");
  b.bind(&P::forced_day_share, "forced_day_share", 0.01, 1, "1/day",
         "most of a position (as held at the day's start) that forced selling (margin call, liquidation, redemption, "
         "risk cut) offers in one day; the rest carries over to the next days (1 = no daily limit)");
  return b;
}

}   // namespace stampede
