#include "sim/engine/run_outcomes.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace stampede {

namespace {

double median(std::vector<double> v) {
  v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return std::isnan(x); }), v.end());
  if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
  const std::size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
  const double hi = v[mid];
  if (v.size() % 2 == 1) return hi;
  return 0.5 * (hi + *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid)));
}

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

OutcomeTracker::OutcomeTracker(std::vector<DailyAgent> agents) : agents_(std::move(agents)) {
  paths_.reserve(agents_.size());
  for (const DailyAgent& a : agents_) paths_.push_back(Path{{1.0}, a.start_nav});
}

void OutcomeTracker::observe_events(const std::string& kind, const std::vector<EventRow>& rows) {
  if (kind == "margin_calls") {
    for (const EventRow& e : rows)
      if (e.reason == "warning") {
        ++margin_calls_;
        margin_called_.insert(e.agent_id);
      }
  } else if (kind == "liquidations") {
    for (const EventRow& e : rows)
      if (starts_with(e.reason, "start_")) {
        liquidated_.insert(e.agent_id);
        ++liquidations_today_;
      }
  } else if (kind == "broker_shortfalls") {
    for (const EventRow& e : rows) shortfall_realised_ += e.price;
  } else if (kind == "redemption_requests") {
    for (const EventRow& e : rows) requested_today_[e.agent_id] += e.price;
  }
}

void OutcomeTracker::observe_day(const std::string& date, const std::vector<AgentDayRecord>& rows) {
  if (rows.size() != agents_.size())
    throw std::invalid_argument("OutcomeTracker: " + std::to_string(rows.size()) + " agent rows for " +
                                std::to_string(agents_.size()) + " daily agents");
  for (std::size_t k = 0; k < rows.size(); ++k) {
    Path& p = paths_[k];
    const double nav = rows[k].nav;
    double level = p.index.back();
    if (!std::isnan(nav)) {
      const auto it = requested_today_.find(agents_[k].agent_id);
      const double requested = it == requested_today_.end() ? 0.0 : it->second;
      if (p.last_nav > 0 && !std::isnan(p.last_nav)) level *= std::max(0.0, nav + requested) / p.last_nav;
      p.last_nav = nav;
    }
    p.index.push_back(level);
  }
  requested_today_.clear();
  // The brokers' exposure at this close: every DMA account's negative equity.
  shortfall_marked_ = 0;
  shortfall_marked_accounts_ = 0;
  for (std::size_t k = 0; k < rows.size(); ++k) {
    if (agents_[k].group != SummaryGroup::dma_accounts || !(rows[k].equity < 0)) continue;
    shortfall_marked_ -= rows[k].equity;
    ++shortfall_marked_accounts_;
  }
  if (shortfall_marked_ > shortfall_peak_) {
    shortfall_peak_ = shortfall_marked_;
    shortfall_peak_date_ = date;
  }
  if (liquidations_today_ > 0 && first_liquidation_date_.empty()) first_liquidation_date_ = date;
  if (liquidations_today_ > peak_liquidations_) {
    peak_liquidations_ = liquidations_today_;
    peak_liquidation_date_ = date;
  }
  liquidations_today_ = 0;
}

NavOutcome OutcomeTracker::group_outcome(SummaryGroup group) const {
  NavOutcome out;
  std::vector<double> returns, drawdowns, worst3;
  for (std::size_t k = 0; k < agents_.size(); ++k) {
    if (agents_[k].group != group) continue;
    ++out.agents;
    const std::vector<double>& x = paths_[k].index;
    returns.push_back(x.back() - 1.0);
    double peak = x.front(), dd = 0, w3 = 0;
    for (std::size_t t = 1; t < x.size(); ++t) {
      peak = std::max(peak, x[t]);
      if (peak > 0) dd = std::min(dd, x[t] / peak - 1.0);
      const double base = x[t >= 3 ? t - 3 : 0];
      if (base > 0) w3 = std::min(w3, x[t] / base - 1.0);
    }
    drawdowns.push_back(dd);
    worst3.push_back(w3);
  }
  out.median_return = median(returns);
  out.median_max_drawdown = median(drawdowns);
  out.median_worst_3day = median(worst3);
  return out;
}

AgentOutcomes OutcomeTracker::result() const {
  AgentOutcomes r;
  for (const DailyAgent& a : agents_) r.dma_accounts += a.group == SummaryGroup::dma_accounts;
  r.dma_accounts_liquidated = static_cast<int>(liquidated_.size());
  r.dma_accounts_margin_called = static_cast<int>(margin_called_.size());
  r.margin_calls = margin_calls_;
  r.broker_shortfall = shortfall_marked_;
  r.broker_shortfall_accounts = shortfall_marked_accounts_;
  r.broker_shortfall_peak = shortfall_peak_;
  r.broker_shortfall_peak_date = shortfall_peak_date_;
  r.broker_shortfall_realised = shortfall_realised_;
  r.first_liquidation_date = first_liquidation_date_;
  r.peak_liquidation_date = peak_liquidation_date_;
  r.peak_liquidations = peak_liquidations_;
  r.dma = group_outcome(SummaryGroup::dma_accounts);
  r.neutral = group_outcome(SummaryGroup::neutral_funds);
  return r;
}

void OutcomeTracker::checkpoint(StateIo& io) {
  io.tag("outcomes");
  if (io.size(agents_.size()) != agents_.size() || paths_.size() != agents_.size())
    throw CheckpointError("checkpoint has another number of daily agents");
  for (DailyAgent& a : agents_) io(a.agent_id, a.start_nav);
  for (Path& p : paths_) io(p.index, p.last_nav);
  io(requested_today_, liquidated_, margin_called_, margin_calls_, shortfall_realised_, shortfall_marked_, shortfall_peak_);
  io(shortfall_marked_accounts_, shortfall_peak_date_, liquidations_today_, first_liquidation_date_, peak_liquidation_date_,
     peak_liquidations_);
}

}  // namespace stampede
