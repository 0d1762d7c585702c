// The whole run (a loop over SteppedRun, stepped_run.cpp), its summary figures and the text
// `stampede run` prints.
#include "sim/engine/run.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace stampede {

void IndexPath::add_close(double prev, double close, const std::string& date, double& peak) {
  end = close;
  trough = std::min(trough, close);
  peak = std::max(peak, close);
  max_drawdown = std::min(max_drawdown, close / peak - 1.0);
  double r = close / prev - 1.0;
  if (r < worst_day || worst_day_date.empty()) {
    worst_day = r;
    worst_day_date = date;
  }
}

RunSummary run_simulation(const Scenario& scenario, const AgentRegistry& registry, const RunOptions& options) {
  SteppedRun run(scenario, registry, options);
  auto stop_requested = [&] { return options.stop != nullptr && options.stop->load(std::memory_order_relaxed) != 0; };
  while (!run.finished() && !stop_requested()) run.step();
  return run.finish();
}

// The outcome measures, one line each: name, units, label, doc, value.
const std::vector<SummaryMetric>& declared_summary_metrics() {
  using S = const RunSummary&;
  static const std::vector<SummaryMetric> metrics = {
      {"hedged_return", "1", "hedged index return",
       "change of the hedged index (the CSI 1000 stand-in) over the run: last close / start - 1",
       [](S s) { return s.hedged.total_return(); }},
      {"hedged_max_drawdown", "1", "hedged index max drawdown",
       "worst fall of the hedged index's close from its running peak", [](S s) { return s.hedged.max_drawdown; }},
      {"hedged_worst_day", "1", "hedged index worst day", "worst close-to-close return of the hedged index",
       [](S s) { return s.hedged.worst_day; }},
      {"microcap_return", "1", "microcap index return",
       "change of the microcap index over the run: last close / start - 1",
       [](S s) { return s.microcap.total_return(); }},
      {"microcap_max_drawdown", "1", "microcap index max drawdown",
       "worst fall of the microcap index's close from its running peak", [](S s) { return s.microcap.max_drawdown; }},
      {"microcap_worst_day", "1", "microcap index worst day", "worst close-to-close return of the microcap index",
       [](S s) { return s.microcap.worst_day; }},
      {"deepest_basis_annualised", "1/year", "deepest closing basis (main contract)",
       "most negative annualised basis at a close of the contract with the most open interest",
       [](S s) { return s.deepest_basis_annualised; }},
      {"max_limit_down", "stock", "most stocks closing limit-down (one day)",
       "largest number of stocks closing at their lower price limit on one day",
       [](S s) { return static_cast<double>(s.max_limit_down); }},
      {"max_limit_up", "stock", "most stocks closing limit-up (one day)",
       "largest number of stocks closing at their upper price limit on one day",
       [](S s) { return static_cast<double>(s.max_limit_up); }},
      {"forced_share_of_microcap_selling", "1", "forced share of microcap selling",
       "share of the yuan of microcaps sold over the run that was forced (margin calls, liquidations, redemptions)",
       [](S s) { return s.forced_share(); }},
      {"worst_day_forced_share_of_microcap_selling", "1", "forced share of microcap selling, highest day",
       "highest daily forced share of microcap selling", [](S s) { return s.worst_day_forced_share; }},
      {"trades", "trade", "trades", "trades over the run", [](S s) { return static_cast<double>(s.trades); }},
      {"dma_accounts", "account", "DMA accounts", "DMA accounts in the run",
       [](S s) { return static_cast<double>(s.outcomes.dma_accounts); }},
      {"dma_accounts_liquidated", "account", "DMA accounts liquidated",
       "DMA accounts whose broker started a liquidation",
       [](S s) { return static_cast<double>(s.outcomes.dma_accounts_liquidated); }},
      {"dma_liquidated_share", "1", "share of DMA accounts liquidated", "dma_accounts_liquidated / dma_accounts",
       [](S s) { return s.outcomes.dma_liquidated_share(); }},
      {"dma_accounts_margin_called", "account", "DMA accounts margin-called",
       "DMA accounts that had at least one margin-call warning",
       [](S s) { return static_cast<double>(s.outcomes.dma_accounts_margin_called); }},
      {"margin_calls", "1", "margin-call warnings", "DMA margin-call warnings over the run",
       [](S s) { return static_cast<double>(s.outcomes.margin_calls); }},
      {"broker_shortfall", "yuan", "broker shortfall (yuan)",
       "negative equity of DMA accounts at the end of the run, marked to market: what brokers stand to lose",
       [](S s) { return s.outcomes.broker_shortfall; }},
      {"broker_shortfall_accounts", "account", "accounts leaving a broker shortfall",
       "DMA accounts with negative equity at the end of the run",
       [](S s) { return static_cast<double>(s.outcomes.broker_shortfall_accounts); }},
      {"broker_shortfall_peak", "yuan", "broker shortfall, peak (yuan)",
       "largest broker shortfall at any close of the run", [](S s) { return s.outcomes.broker_shortfall_peak; }},
      {"broker_shortfall_realised", "yuan", "broker shortfall realised (yuan)",
       "broker loans liquidated DMA accounts could not repay (/events/broker_shortfalls)",
       [](S s) { return s.outcomes.broker_shortfall_realised; }},
      {"dma_median_return", "1", "DMA account return (median)",
       "median over DMA accounts of their flow-adjusted NAV's return over the run",
       [](S s) { return s.outcomes.dma.median_return; }},
      {"dma_median_max_drawdown", "1", "DMA account max drawdown (median)",
       "median over DMA accounts of their flow-adjusted NAV's worst fall from its running peak",
       [](S s) { return s.outcomes.dma.median_max_drawdown; }},
      {"neutral_funds", "fund", "neutral funds", "market-neutral funds in the run",
       [](S s) { return static_cast<double>(s.outcomes.neutral.agents); }},
      {"neutral_median_return", "1", "neutral fund return (median)",
       "median over neutral funds of their flow-adjusted NAV's return over the run",
       [](S s) { return s.outcomes.neutral.median_return; }},
      {"neutral_median_max_drawdown", "1", "neutral fund max drawdown (median)",
       "median over neutral funds of their flow-adjusted NAV's worst fall from its running peak",
       [](S s) { return s.outcomes.neutral.median_max_drawdown; }},
      {"neutral_median_worst_3day", "1", "neutral fund worst 3-day NAV change (median)",
       "median over neutral funds of their worst flow-adjusted NAV change over 3 trading days",
       [](S s) { return s.outcomes.neutral.median_worst_3day; }},
  };
  return metrics;
}

std::vector<std::pair<std::string, double>> summary_metrics(const RunSummary& s) {
  std::vector<std::pair<std::string, double>> out;
  for (const SummaryMetric& m : declared_summary_metrics()) out.emplace_back(m.name, m.value(s));
  return out;
}

std::string format_summary(const RunSummary& s, const std::filesystem::path& output) {
  std::string out;
  auto line = [&](std::string_view label, const std::string& value) { out += fmt::format("  {:<34}{}\n", label, value); };
  auto pct = [](double x) { return fmt::format("{:+.2f}%", 100.0 * x); };
  out += fmt::format("stampede run '{}': {} trading days, {} stocks, {} agents, seed {}, {} threads\n", s.scenario, s.days,
                     s.stocks, s.agents, s.seed, s.threads);
  // Beside each index figure, the real index's over the same dates where the scenario covers them.
  auto real_path = [&](const IndexPath& r, const char* name) {
    return r.start > 0 ? fmt::format("   [real {}: {}, max drawdown {}]", name, pct(r.total_return()), pct(r.max_drawdown))
                       : std::string();
  };
  auto real_day = [&](const IndexPath& r) {
    return r.start > 0 ? fmt::format("   [real: {} on {}]", pct(r.worst_day), r.worst_day_date) : std::string();
  };
  line("hedged index", fmt::format("{:.1f} -> {:.1f} ({}), max drawdown {}{}", s.hedged.start, s.hedged.end,
                                   pct(s.hedged.total_return()), pct(s.hedged.max_drawdown), real_path(s.real_hedged, "CSI 1000")));
  line("hedged index worst day", fmt::format("{} on {}{}", pct(s.hedged.worst_day), s.hedged.worst_day_date, real_day(s.real_hedged)));
  line("microcap index", fmt::format("{:.1f} -> {:.1f} ({}), max drawdown {}{}", s.microcap.start, s.microcap.end,
                                     pct(s.microcap.total_return()), pct(s.microcap.max_drawdown),
                                     real_path(s.real_microcap, "microcap")));
  line("microcap index worst day",
       fmt::format("{} on {}{}", pct(s.microcap.worst_day), s.microcap.worst_day_date, real_day(s.real_microcap)));
  line("deepest closing basis (main)",
       s.deepest_basis_date.empty() ? std::string("none below zero")
                                    : fmt::format("{} on {}", pct(s.deepest_basis_annualised), s.deepest_basis_date));
  line("most stocks closing limit-down", fmt::format("{} of {} on {}", s.max_limit_down, s.stocks, s.max_limit_down_date));
  line("most stocks closing limit-up", fmt::format("{}", s.max_limit_up));
  line("forced share of microcap selling",
       s.worst_day_forced_share_date.empty()
           ? fmt::format("{} (no forced selling)", pct(s.forced_share()))
           : fmt::format("{} over the run, {} on {}", pct(s.forced_share()), pct(s.worst_day_forced_share),
                         s.worst_day_forced_share_date));
  const AgentOutcomes& o = s.outcomes;
  if (o.dma_accounts > 0) {
    line("DMA accounts liquidated",
         fmt::format("{} of {} ({}){}", o.dma_accounts_liquidated, o.dma_accounts, pct(o.dma_liquidated_share()).substr(1),
                     o.peak_liquidation_date.empty() ? std::string()
                                                     : fmt::format(", most ({}) on {}", o.peak_liquidations, o.peak_liquidation_date)));
    line("DMA margin calls", fmt::format("{} warnings, {} accounts", o.margin_calls, o.dma_accounts_margin_called));
    line("broker shortfall (marked)",
         fmt::format("{:.0f} yuan from {} accounts at the last close{}", o.broker_shortfall, o.broker_shortfall_accounts,
                     o.broker_shortfall_peak_date.empty()
                         ? std::string()
                         : fmt::format("; peak {:.0f} on {}", o.broker_shortfall_peak, o.broker_shortfall_peak_date)));
    line("DMA account (median)", fmt::format("return {}, max drawdown {}", pct(o.dma.median_return), pct(o.dma.median_max_drawdown)));
  } else {
    line("DMA accounts", "none");
  }
  if (o.neutral.agents > 0)
    line("neutral funds (median)", fmt::format("return {}, max drawdown {}, worst 3 days {} ({} funds)",
                                               pct(o.neutral.median_return), pct(o.neutral.median_max_drawdown),
                                               pct(o.neutral.median_worst_3day), o.neutral.agents));
  else
    line("neutral funds", "none");
  line("orders / trades", fmt::format("{} / {}", s.orders, s.trades));
  // By reason, named as in /events/order_rejections (RejectReason, sim/core/reject_reason.hpp):
  // a risk refusal, a regulator's rule (regulator_*) or a book's (book_price_outside_band, ...).
  std::int64_t rejected = 0;
  std::string reasons;
  for (const auto& [why, n] : s.rejections) {
    rejected += n;
    reasons += fmt::format("{}{} {}", reasons.empty() ? "" : ", ", n, why);
  }
  line("orders rejected", rejected == 0 ? std::string("0") : fmt::format("{} ({})", rejected, reasons));
  line("money, shares, futures conserved", s.conservation_problems.empty() ? std::string("yes")
                                                                           : "NO: " + s.conservation_problems.front());
  line("wall time", fmt::format("{:.1f} s ({:.0f} steps/s)", s.wall_seconds, s.wall_seconds > 0 ? s.steps / s.wall_seconds : 0.0));
  if (s.checkpoints > 0 || s.resumed_after_day > 0)
    line("checkpoints", fmt::format("{}{}", s.checkpoints > 0 ? fmt::format("{}, {:.3f} s each, {:.1f} MB the last", s.checkpoints,
                                                                        s.checkpoint_seconds / s.checkpoints, s.checkpoint_bytes / 1e6)
                                                           : std::string("none written"),
                                    s.resumed_after_day > 0 ? fmt::format("; resumed after day {}", s.resumed_after_day) : ""));
  line("run log", output.string());
  return out;
}

}  // namespace stampede
