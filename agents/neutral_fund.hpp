#pragma once
// A market-neutral quant fund ("量化中性"): about 80% of its capital long a basket of small caps
// (agents/hedged_basket.hpp), the rest cash that margins a short in the index futures sized to
// the basket. Investors redeem after losses in a drawdown (requested at a close, paid a few days
// later from cash the fund raises by selling); the manager cuts gross exposure when the drawdown
// or the volatility of the NAV passes a limit. Obeys the regulator's per-day sell cap.
#include <deque>
#include <memory>
#include <vector>

#include "agents/hedged_book.hpp"
#include "sim/engine/agent_registry.hpp"

namespace stampede {

struct NeutralFundParams {
  BasketParams basket;
  double long_share = 0.8;               // long basket / NAV
  double redemption_drawdown = 0.03;     // drawdown from the NAV peak beyond which a losing day brings redemptions
  double redemption_sensitivity = 0.5;   // share of NAV requested per unit of drawdown beyond the threshold
  double redemption_max_share = 0.05;    // largest request of one day, share of NAV
  int redemption_lag_days = 3;           // trading days from request to payment
  double risk_drawdown_limit = 0.06;     // drawdown (from the risk peak) that triggers a cut
  double risk_vol_limit = 0.2;           // annualised volatility of daily NAV returns that triggers a cut
  int risk_vol_window_days = 10;
  double risk_cut_fraction = 0.5;        // share of gross exposure cut
  int risk_cut_days = 5;                 // trading days the cut lasts
  double forced_pace = 0.05;             // share of each position a forced sale offers per step
  int forced_aggressiveness_ticks = 5;   // forced sells: ticks below the best bid
  double forced_band = 0.02;             // forced selling starts when the long exceeds its target by this share
};

// The agent class (Agent::kind(), the run log's agent_class), declared once.
inline constexpr AgentClassInfo kNeutralFundClass{
    "neutral_fund", "market-neutral funds",
    "a quant fund long a small-cap basket and short index futures, redeemed after losses", SummaryGroup::neutral_funds};

class NeutralFund final : public HedgedBook {
 public:
  NeutralFund(const NeutralFundParams& p, std::shared_ptr<SignalBoard> board, AccountId account, double capital_yuan,
              Rng style_rng);
  const char* kind() const override { return kNeutralFundClass.name; }
  RegulatedAs regulated_as() const override { return RegulatedAs::QuantFund; }
  void checkpoint(StateIo& io) override;   // agents/checkpoints.cpp
  void decide(const MarketView& view, OrderSink& out) override;
  void end_of_day(const MarketView& view, OrderSink& out) override;
  void report(const MarketView& view, ClassMetrics& into) const override;
  AgentDayRow day_row(const MarketView& view) const override;

  double payable() const { return payable_; }            // redemptions requested, not yet paid (yuan)
  double units() const { return units_; }
  void set_initial_nav(double yuan) { units_ = yuan; }   // setup: units at NAV per unit 1
  bool risk_cut() const { return cut_days_left_ > 0; }
  AgentState state() const;

 private:
  struct Request { DayIndex asked, due; double amount; };
  NeutralFundParams p_;
  double day_nav_ = 0;                  // NAV at the start of the day (yuan)
  double units_;                        // investors' units (NAV per unit starts at 1)
  double payable_ = 0;                  // yuan owed to redeeming investors
  std::deque<Request> requests_;
  double peak_nav_pu_ = 1.0, risk_peak_ = 1.0, prev_nav_pu_ = 1.0;
  std::vector<double> returns_;         // daily NAV-per-unit returns, ring of risk_vol_window_days
  std::size_t returns_seen_ = 0;
  int cut_days_left_ = 0;
};

// The [neutral_funds] section.
AgentKind neutral_funds_kind();

}  // namespace stampede
