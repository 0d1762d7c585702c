#pragma once
// A market maker quoting one futures contract around the index plus the basis it expects,
// blended with the last price; it skews quotes to shed its position and needs margin for both.
// Like the stock makers it stops quoting for a while after a loss or a one-sided run of fills.
#include <memory>
#include <vector>

#include "agents/liquidity_provider.hpp"

namespace stampede {

// The agent class (Agent::kind(), the run log's agent_class), declared once.
inline constexpr AgentClassInfo kFuturesMarketMakerClass{"futures_market_maker", "futures market makers",
                                                         "a market maker quoting one futures contract"};

class FuturesMarketMaker final : public Agent {
 public:
  // `desk`: the accounts of every futures maker of the population (this one's included, so never
  // empty), whose books together set the absorb skew (see QuotingParams::absorb_*).
  FuturesMarketMaker(const QuotingParams& p, AccountId account, int slot, double expected_basis_annual, Rng rng,
                     std::shared_ptr<const std::vector<AccountId>> desk);
  const char* kind() const override { return kFuturesMarketMakerClass.name; }
  void checkpoint(StateIo& io) override;   // agents/checkpoints.cpp
  void decide(const MarketView& view, OrderSink& out) override;
  void report(const MarketView& view, ClassMetrics& into) const override;
  bool withdrawn() const { return withdrawal_.withdrawn(); }

 private:
  QuotingParams p_;
  AccountId account_;
  int slot_;
  double expected_basis_annual_;
  Rng rng_;
  OrderId bid_ = 0, ask_ = 0;
  std::string code_;   // contract quoted last step: a roll turns the next contract into the front
  QuoteWithdrawal withdrawal_;
  std::shared_ptr<const std::vector<AccountId>> desk_;
  // The long book the makers carry, per maker (contracts over all slots and the whole desk), and
  // the day it was last moved (QuotingParams::absorb_*).
  double carried_book_ = 0.0;
  DayIndex carried_day_ = -1;
  double absorb_shift(const MarketView& view, const FuturesQuoteInfo& info);
};

}  // namespace stampede
