#pragma once
// The agents' side of a run's outcome, for the summary: DMA accounts margin-called and liquidated,
// the brokers' shortfall, and how the NAVs of DMA accounts and neutral funds moved. Built from what
// the engine already hands the run log (events by kind, the daily agent rows), with event kinds
// named as strings and agents grouped by their class's declared SummaryGroup (AgentClassInfo): the
// engine includes no agent header and names no agent class.
#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "sim/core/state_io.hpp"
#include "sim/engine/agent.hpp"
#include "sim/record/run_log.hpp"

namespace stampede {

// Medians over the agents of one class of their NAV path: NaN when the class has no agents.
struct NavOutcome {
  int agents = 0;
  double median_return = std::numeric_limits<double>::quiet_NaN();         // end NAV / start NAV - 1
  double median_max_drawdown = std::numeric_limits<double>::quiet_NaN();   // worst fall from a running peak (negative)
  double median_worst_3day = std::numeric_limits<double>::quiet_NaN();     // worst NAV change over 3 trading days (negative)
};

struct AgentOutcomes {
  int dma_accounts = 0;                 // DMA accounts in the run
  int dma_accounts_liquidated = 0;      // distinct accounts whose broker started a liquidation
  int dma_accounts_margin_called = 0;   // distinct accounts that got at least one margin call
  std::int64_t margin_calls = 0;        // margin-call warnings, every account
  // The brokers' shortfall marked to market at every close: the negative equity of DMA accounts
  // (what they owe their broker beyond everything they hold), whether or not a liquidation has
  // finished; accounts whose liquidation finished keep the written-off part as negative equity.
  double broker_shortfall = 0;          // yuan, at the last close
  int broker_shortfall_accounts = 0;    // accounts with negative equity at the last close
  double broker_shortfall_peak = 0;     // yuan, the largest at any close
  std::string broker_shortfall_peak_date;   // ISO; empty when it never was above zero
  double broker_shortfall_realised = 0; // yuan written off when liquidations finished (events broker_shortfalls)
  std::string first_liquidation_date, peak_liquidation_date;   // ISO; empty without liquidations
  int peak_liquidations = 0;            // most liquidations started on one day
  NavOutcome dma, neutral;
  double dma_liquidated_share() const { return dma_accounts > 0 ? static_cast<double>(dma_accounts_liquidated) / dma_accounts : 0.0; }
};

// Fed by the run driver: the start NAV of every daily agent, then each batch of events as it is
// taken from the simulation (before the day's frame), then each day's frame.
//
// NAV paths are flow-adjusted: a redemption request (event `redemption_requests`, yuan in `price`)
// lowers an agent's NAV by the amount requested without being a loss, so the day's return is
// (NAV + requested that day) / previous NAV - 1, chained: the path of the NAV per unit.
class OutcomeTracker {
 public:
  struct DailyAgent {
    std::int32_t agent_id;
    double start_nav;   // before the first day
    SummaryGroup group = SummaryGroup::none;   // its class's (AgentClassInfo::summary_group)
  };
  explicit OutcomeTracker(std::vector<DailyAgent> agents);

  void observe_events(const std::string& kind, const std::vector<EventRow>& rows);
  // Rows in the order of the agents given to the constructor.
  void observe_day(const std::string& date, const std::vector<AgentDayRecord>& rows);
  AgentOutcomes result() const;
  void checkpoint(StateIo& io);   // everything observed so far (sim/core/state_io.hpp)

 private:
  struct Path {
    std::vector<double> index;   // flow-adjusted NAV, starting at 1
    double last_nav;
  };
  NavOutcome group_outcome(SummaryGroup group) const;

  std::vector<DailyAgent> agents_;
  std::vector<Path> paths_;
  std::map<std::int32_t, double> requested_today_;   // agent id -> yuan requested since the last day
  std::set<std::int32_t> liquidated_, margin_called_;
  std::int64_t margin_calls_ = 0;
  double shortfall_realised_ = 0;
  double shortfall_marked_ = 0, shortfall_peak_ = 0;
  int shortfall_marked_accounts_ = 0;
  std::string shortfall_peak_date_;
  int liquidations_today_ = 0;
  std::string first_liquidation_date_, peak_liquidation_date_;
  int peak_liquidations_ = 0;
};

}  // namespace stampede
