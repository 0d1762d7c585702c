#include "sim/core/types.hpp"

namespace stampede {
const char* to_string(OrderReason r) {
  switch (r) {
    case OrderReason::Voluntary: return "voluntary";
    case OrderReason::Quote: return "quote";
    case OrderReason::Rebalance: return "rebalance";
    case OrderReason::Roll: return "roll";
    case OrderReason::Hedge: return "hedge";
    case OrderReason::MarginCall: return "margin_call";
    case OrderReason::Liquidation: return "liquidation";
    case OrderReason::Redemption: return "redemption";
    case OrderReason::RiskLimit: return "risk_limit";
    case OrderReason::KnockInHedge: return "knock_in_hedge";
    case OrderReason::Intervention: return "intervention";
  }
  return "?";
}
}  // namespace stampede
