#pragma once
// Retail margin-financing accounts (融资融券): investors who hold small and mid caps bought partly
// with money their broker lent them. One agent object for the whole population (a structure of
// arrays, a row per investor, each with an engine account), as for the retail crowd.
//
// The broker's rule, as the exchanges set it: the collateral ratio, (cash + stocks at the close) /
// loan, is checked at every close. Below the maintenance line (130%) the investor is called and
// has `call_days` closes to bring it back; if it is still below then, or at any close at or below
// the forced line, the broker sells the collateral from the next open, a slice of every holding
// each round at prices that can trade (never below limit-down), until the ratio at last prices is
// back at the safe line. Sale proceeds repay the loan at the next day's first step. Investors do
// not trade otherwise: they hold what they bought.
//
// Why it matters for a crowded-trade crash: the line is crossed when the holdings' cumulative fall
// reaches 1 - 1.3 / (the ratio the investor started at), so a month of falling small caps brings
// the first calls, their sales push the same stocks down, and the next investors cross a day later
// (the call's T+1 rhythm). Forced selling then grows over days, before any fund is in trouble.
#include <cstdint>
#include <vector>

#include "sim/engine/agent.hpp"
#include "sim/engine/agent_registry.hpp"

namespace stampede {

struct MarginInvestorParams {
  double maintenance_ratio = 1.3;   // a close below this calls the investor
  double forced_ratio = 1.1;        // a close at or below this: the broker sells from the next open
  double safe_ratio = 1.5;          // a forced sale stops once the ratio at last prices is back here
  int call_days = 1;                // closes a called investor has to restore the ratio
  double pace = 0.1;                // share of each sellable holding offered per sale round
  int every_steps = 5;              // continuous steps between a forced account's sale rounds
  int aggressiveness_ticks = 5;     // sales priced this far below the best bid (never below limit-down)
};

enum class MarginState : std::uint8_t { Normal = 0, Called = 1, Forced = 2 };

// The agent class (Agent::kind(), the run log's agent_class), declared once.
inline constexpr AgentClassInfo kMarginInvestorClass{
    "margin_investor", "margin investors",
    "the retail margin-financing accounts: one agent for the population, an account per investor"};

class MarginInvestors final : public Agent {
 public:
  // Investors own the consecutive accounts first_account .. first_account + loans.size() - 1;
  // loans in fen. broker_account receives the repayments.
  MarginInvestors(const MarginInvestorParams& p, AccountId first_account, std::vector<Fen> loans,
                  AccountId broker_account);
  const char* kind() const override { return kMarginInvestorClass.name; }
  void checkpoint(StateIo& io) override;   // agents/checkpoints.cpp
  void decide(const MarketView& view, OrderSink& out) override;
  void end_of_day(const MarketView& view, OrderSink& out) override;
  void report(const MarketView& view, ClassMetrics& into) const override;

  int size() const { return static_cast<int>(loan_.size()); }
  AccountId account(int investor) const { return first_account_ + investor; }
  Fen loan(int investor) const { return loan_[static_cast<std::size_t>(investor)]; }
  MarginState state(int investor) const { return static_cast<MarginState>(state_[static_cast<std::size_t>(investor)]); }
  // Collateral ratio at last prices, counting the cash that will repay the loan (infinite without a loan).
  double collateral_ratio(const MarketView& view, int investor) const;
  // Yuan of stock the broker must sell (at last prices) to bring the ratio back to the safe line.
  double shortfall_to_safe(const MarketView& view, int investor) const;

 private:
  // What the ratio is made of, in yuan, once the cash at hand has repaid what it can of the loan.
  struct Collateral {
    double assets = 0, debt = 0;
  };
  Collateral collateral(const MarketView& view, int investor) const;
  void sell_round(const MarketView& view, OrderSink& out, int investor);

  MarginInvestorParams p_;
  AccountId first_account_;
  AccountId broker_account_;
  std::vector<Fen> loan_;                 // per investor
  std::vector<std::uint8_t> state_;       // MarginState per investor
  std::vector<std::int32_t> call_left_;   // closes left to restore a call
  std::vector<std::int32_t> forced_;      // investors in the Forced state, ascending
  struct Resting {
    std::int32_t investor;
    InstrumentId stock;
    OrderId id;
  };
  std::vector<Resting> resting_;   // the last round's sale orders (cancelled at the next)
  DayIndex day_ = -1;
  int continuous_seen_ = 0;
  // report: a census of shares, cash, loans and states every kCensusEverySteps steps (and at each
  // day's first report), marked at current prices every step: the class totals without a pass over
  // every account in every step.
  static constexpr int kCensusEverySteps = 30;
  void census(const MarketView& view) const;
  mutable StepIndex census_step_ = -1;
  mutable DayIndex census_day_ = -1;
  mutable Fen census_cash_ = 0, census_loan_ = 0;
  mutable std::int64_t census_called_ = 0, census_forced_ = 0;
  mutable std::vector<Qty> census_shares_;   // per stock (empty until the first census)
};

// The [margin_investors] section.
AgentKind margin_investors_kind();

}   // namespace stampede
