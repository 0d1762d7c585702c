#pragma once
// The small crash world shared by the mechanism-direction and value-investor tests: fundamentals
// drifting down, small caps fastest, crowded neutral and DMA books (the same stocks), DMA accounts
// at 5x whose broker lines sit close to the initial margin ratio (warning at 95%, liquidation at
// 85% of it), six days. Each test adds the keys that isolate its mechanism.
#include <string>
#include <vector>

namespace stampede::test {

// `a` followed by `b`: scenario overrides, applied in order.
inline std::vector<std::string> with(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

inline std::string seed_key(int seed) { return "seed=" + std::to_string(seed); }

inline std::vector<std::string> crash_world() {
  return {"days=6", "snowball.issuers=0", "index_enhanced.count=0",
          "fundamentals.size_drift_annual=-2", "fundamentals.market_drift_annual=-2",
          "neutral_funds.crowding=1", "neutral_funds.count=3", "neutral_funds.capital_yuan_median=2e6",
          "neutral_funds.capital_dispersion=0",
          "dma.crowding=1", "dma.accounts=6", "dma.equity_yuan_median=2e6", "dma.equity_dispersion=0", "dma.leverage=5",
          "dma.warning_ratio=0.95", "dma.liquidation_ratio=0.85", "dma.grace_steps=16"};
}

}  // namespace stampede::test
