// The [retail] section's keys, bound to RetailSection (agents/retail_population.hpp); a file of
// their own, so retail_population.cpp keeps to the traders' behaviour.
#include "agents/retail_population.hpp"

namespace stampede {

ParamBinder<RetailSection> retail_section_binder() {
  using S = RetailSection;
  using P = RetailParams;
  // The style weights are one array in RetailParams, one key each in the scenario.
  auto style = [](std::size_t k) { return [k](auto& sec) -> auto& { return sec.trader.style_share[k]; }; };
  auto trader = [](auto member) { return path(&S::trader, member); };
  ParamBinder<S> b{"retail"};
  b.bind(&S::count, "count", 0, 10000000, "traders", "number of retail traders");
  b.bind(trader(&P::orders_per_day), "orders_per_day", 0, 100, "1/day", "mean (Poisson) decisions per trader per day")
      .long_doc("mean (Poisson) rate at which a trader becomes active (an active trader sends at most one order, "
                "after cancelling its previous one)");
  b.bind(style(0), "noise_share", 0, 1, "weight",
         "weight of noise traders in the style mix (weights are normalised by their sum)")
      .long_doc("weight of noise traders in the style mix (buy a random stock or sell a random holding)");
  b.bind(style(1), "momentum_share", 0, 1, "weight", "weight of momentum traders (chase recent winners, dump losers)")
      .long_doc("weight of momentum traders: buy the best recent winner among a few stocks, sell held losers");
  b.bind(style(2), "attention_share", 0, 1, "weight",
         "weight of attention traders (buy the stocks with the biggest moves or volume today)")
      .long_doc("weight of attention traders: buy from the attention list (biggest moves and relative volume today)");
  b.bind(style(3), "panic_share", 0, 1, "weight",
         "weight of panic-prone traders (noise traders who dump fallen holdings even without market stress)")
      .long_doc("weight of panic-prone traders: noise traders who dump fallen holdings even without market stress");
  b.bind(&S::cash_yuan_median, "cash_yuan_median", 0, 1e12, "yuan", "median cash per trader at the start");
  b.bind(&S::holdings_yuan_median, "holdings_yuan_median", 0, 1e12, "yuan",
         "median value of shares per trader at the start")
      .long_doc("median value of shares per trader at the start, spread over `stocks_held` random stocks");
  b.bind(&S::wealth_dispersion, "wealth_dispersion", 0, 5, "",
         "lognormal sigma of a trader's wealth (scales both cash and holdings)")
      .long_doc("lognormal sigma of a trader's wealth (scales its cash and holdings together)");
  b.bind(&S::stocks_held, "stocks_held", 1, 16, "stocks",
         "distinct stocks each trader starts with (at most max_stocks)")
      .long_doc("distinct stocks each trader starts with (at most `max_stocks`)");
  b.bind(trader(&P::max_stocks), "max_stocks", 1, 16, "stocks",
         "distinct stocks a trader may hold at once (holding slots)")
      .long_doc("holding slots: distinct stocks a trader may hold at once (a noise trader with no free slot buys "
                "more of a holding; other styles pass)");
  b.bind(trader(&P::order_size_lots), "order_size_lots", 1, 100000, "lots",
         "mean size of a buy or a partial sell (1 + geometric)")
      .long_doc("mean size (1 + geometric) of a buy or a partial sell; panic sells dump the whole sellable holding");
  b.bind(trader(&P::marketable_share), "marketable_share", 0, 1, "",
         "share of orders sent at the opposite best quote; the rest join their own side's best")
      .long_doc("share of orders sent at the opposite best quote; the rest join their own side's best quote");
  b.bind(trader(&P::limit_offset_ticks), "limit_offset_ticks", 0, 10000, "ticks",
         "mean distance (geometric) of a passive order behind its own side's best quote");
  b.bind(trader(&P::momentum_lookback_days), "momentum_lookback_days", 1, 250, "trading days",
         "momentum return: last price over the close this many days ago");
  b.bind(trader(&P::momentum_candidates), "momentum_candidates", 1, 1000, "stocks",
         "random stocks a momentum trader compares before buying the best");
  b.bind(trader(&P::momentum_threshold), "momentum_threshold", 0, 10, "",
         "lookback return beyond which a stock is a winner to buy (or a held loser to sell)")
      .long_doc("lookback return beyond which a stock is a winner to buy, or a held loser to sell");
  b.bind(trader(&P::attention_list_size), "attention_list_size", 0, 100000, "stocks",
         "stocks on the attention list, refreshed every step");
  b.bind(trader(&P::attention_volume_weight), "attention_volume_weight", 0, 1000, "",
         "attention score = |move today| / price limit + this * relative volume today")
      .long_doc("attention score = abs(move today) / price limit + this x volume today relative to its moving "
                "average (normalised by the cross-section mean)");
  b.bind(trader(&P::attention_volume_days), "attention_volume_days", 1, 250, "trading days",
         "span of the moving average of daily volume that relative volume is measured against")
      .long_doc("span of the moving average of daily volume");
  b.bind(trader(&P::attention_buy_share), "attention_buy_share", 0, 1, "",
         "probability an active attention trader buys from the list (else sells a holding)")
      .long_doc("probability an active attention trader buys from the list (else it sells a holding)");
  b.bind(trader(&P::panic_loss_threshold), "panic_loss_threshold", 0, 1, "",
         "loss since purchase from which a holding counts as fallen");
  b.bind(trader(&P::panic_day_loss_threshold), "panic_day_loss_threshold", 0, 1, "",
         "loss since the previous close from which a holding counts as fallen");
  b.bind(trader(&P::panic_base_prob), "panic_base_prob", 0, 1, "",
         "probability a panic-prone trader dumps a fallen holding when active, without market stress");
  b.bind(trader(&P::panic_limit_down_sensitivity), "panic_limit_down_sensitivity", 0, 100, "",
         "panic probability added per unit share of stocks locked limit-down");
  b.bind(trader(&P::panic_contagion), "panic_contagion", 0, 1, "",
         "factor on that added probability for traders who are not panic-prone");
  b.bind(trader(&P::cap_weight_exponent), "cap_weight_exponent", 0, 2, "",
         "a random pick (start holdings, noise buys, momentum candidates) weights stocks by (market cap)^this")
      .long_doc("a trader's random picks (the holdings it starts with, a noise-style buy, the candidates a momentum "
                "trader compares) choose a stock with probability proportional to (its market cap at the start)^this: "
                "0 picks uniformly, so every stock gets the same yuan turnover; real turnover in yuan grows with size");
  b.bind(trader(&P::report_every_steps), "report_every_steps", 1, 100000, "steps",
         "class totals count cash and shares every this many steps (and each day), marked every step")
      .long_doc("the class totals count the traders' cash and shares every this many steps (and at each day's first "
                "step) and mark the counted shares at current prices every step");
  return b;
}

}  // namespace stampede
