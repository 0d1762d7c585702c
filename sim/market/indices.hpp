#pragma once
// The two indices the story turns on: the hedged index (cap-weighted over its constituents, the
// one the futures settle to) and the microcap index (equal-weighted over the smallest stocks).
// Floating point is fine here: indices are analytics, and the futures settle to them only after
// rounding to exact cash.
#include <vector>

#include "sim/core/types.hpp"
#include "sim/market/universe.hpp"

namespace stampede {

class StateIo;

class HedgedIndex {
 public:
  HedgedIndex(const Universe& u, double base);
  double level(const std::vector<Tick>& price) const;
  const std::vector<int>& members() const { return members_; }
  std::vector<double> weights_at_start() const;   // per stock, 0 outside the index

 private:
  const Universe* universe_;
  std::vector<int> members_;
  double base_, divisor_;
};

class MicrocapIndex {
 public:
  MicrocapIndex(const Universe& u, double base, int member_count, const std::vector<Tick>& price);
  // Chain-linked: the level carries over and the members become the smallest by today's cap.
  void rebalance(const std::vector<Tick>& price);
  double level(const std::vector<Tick>& price) const;
  const std::vector<int>& members() const { return members_; }
  void checkpoint(StateIo& io);   // members and the chain link (sim/core/state_io.hpp)

 private:
  void choose_members(const std::vector<Tick>& price);
  const Universe* universe_;
  int member_count_;
  std::vector<int> members_;
  std::vector<Tick> base_price_;   // member prices at the last rebalance
  double level_at_rebalance_;
};

}  // namespace stampede
