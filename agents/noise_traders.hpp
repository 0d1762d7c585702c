#pragma once
// A population of noise traders, one agent object for all of them: each trader is a row of
// structure-of-arrays state with its own account; they act at Poisson times, in blocks that
// decide in parallel, each block drawing from its own random stream.
#include <vector>

#include "agents/stock_picker.hpp"
#include "sim/core/rng.hpp"
#include "sim/engine/agent.hpp"
#include "sim/engine/agent_registry.hpp"

namespace stampede {

struct NoiseParams {
  double orders_per_day = 3.0;
  double market_order_share = 0.2;
  double limit_offset_ticks = 5.0;
  double order_size_lots = 5.0;
  double fundamental_tilt = 0.1;
  double cap_weight_exponent = 0.0;   // buys and start holdings weighted by (market cap)^this; 0 = uniform
};

// The agent class (Agent::kind(), the run log's agent_class), declared once.
inline constexpr AgentClassInfo kNoiseTraderClass{
    "noise_trader", "noise traders", "the noise-trader population: one agent for all of them, an account per trader"};

class NoiseTraders final : public Agent {
 public:
  static constexpr int kBlockSize = 1024;

  NoiseTraders(const NoiseParams& p, std::vector<AccountId> accounts, StockPicker picker, std::uint64_t seed,
               AgentId id);
  const char* kind() const override { return kNoiseTraderClass.name; }
  void checkpoint(StateIo& io) override;   // agents/checkpoints.cpp
  void decide(const MarketView& view, OrderSink& out) override;
  int size() const { return static_cast<int>(accounts_.size()); }

 private:
  void decide_one(const MarketView& view, AccountId account, Rng& rng, OrderSink& out) const;

  NoiseParams p_;
  std::vector<AccountId> accounts_;           // per trader
  StockPicker picker_;                        // the stock a buy goes to
  std::vector<Rng> block_rng_;                // per block of kBlockSize traders
  std::vector<std::vector<Order>> block_orders_;
  std::vector<std::uint64_t> block_sequence_;
};

AgentKind noise_traders_kind();

}  // namespace stampede
