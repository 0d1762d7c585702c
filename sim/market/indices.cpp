#include "sim/market/indices.hpp"

#include <algorithm>
#include <numeric>

namespace stampede {

HedgedIndex::HedgedIndex(const Universe& u, double base) : universe_(&u), base_(base), divisor_(0) {
  for (int i = 0; i < u.size(); ++i)
    if (u.segment[i] == Segment::Constituent) members_.push_back(i);
  for (int i : members_) divisor_ += static_cast<double>(u.shares_outstanding[i]) * u.first_price[i];
}

double HedgedIndex::level(const std::vector<Tick>& price) const {
  double cap = 0;
  for (int i : members_) cap += static_cast<double>(universe_->shares_outstanding[i]) * price[i];
  return divisor_ > 0 ? base_ * cap / divisor_ : base_;
}

std::vector<double> HedgedIndex::weights_at_start() const {
  std::vector<double> w(universe_->size(), 0.0);
  for (int i : members_) w[i] = static_cast<double>(universe_->shares_outstanding[i]) * universe_->first_price[i] / divisor_;
  return w;
}

MicrocapIndex::MicrocapIndex(const Universe& u, double base, int member_count, const std::vector<Tick>& price)
    : universe_(&u), member_count_(std::min(member_count, u.size())), level_at_rebalance_(base) {
  choose_members(price);
}

void MicrocapIndex::choose_members(const std::vector<Tick>& price) {
  std::vector<int> order(universe_->size());
  std::iota(order.begin(), order.end(), 0);
  auto cap = [&](int i) { return static_cast<double>(universe_->shares_outstanding[i]) * price[i]; };
  // Ties broken by id so the membership never depends on sort internals.
  std::nth_element(order.begin(), order.begin() + member_count_, order.end(),
                   [&](int a, int b) { return cap(a) != cap(b) ? cap(a) < cap(b) : a < b; });
  members_.assign(order.begin(), order.begin() + member_count_);
  std::sort(members_.begin(), members_.end());
  base_price_.clear();
  for (int i : members_) base_price_.push_back(price[i]);
}

void MicrocapIndex::rebalance(const std::vector<Tick>& price) {
  level_at_rebalance_ = level(price);
  choose_members(price);
}

double MicrocapIndex::level(const std::vector<Tick>& price) const {
  if (members_.empty()) return level_at_rebalance_;
  double sum = 0;
  for (std::size_t k = 0; k < members_.size(); ++k) sum += static_cast<double>(price[members_[k]]) / base_price_[k];
  return level_at_rebalance_ * sum / static_cast<double>(members_.size());
}

}  // namespace stampede
