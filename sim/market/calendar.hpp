#pragma once
// Trading calendar: weekdays that are not holidays, and the monthly futures expiry rule.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace stampede {

using Date = std::chrono::year_month_day;

std::optional<Date> parse_iso_date(std::string_view text);   // "2024-01-02"; nullopt if not a real date
std::string to_iso(Date d);
int days_between(Date from, Date to);                        // calendar days, to - from
Date third_friday(std::chrono::year y, std::chrono::month m);

class TradingCalendar {
 public:
  // The first `count` trading days on or after `start`, skipping weekends and `holidays`.
  TradingCalendar(Date start, int count, const std::vector<Date>& holidays);
  int size() const { return static_cast<int>(days_.size()); }
  Date date(int day) const { return days_[day]; }
  std::string iso(int day) const { return to_iso(days_[day]); }
  const std::vector<Date>& dates() const { return days_; }
  bool is_holiday(Date d) const;
  // First trading day on or after `d`: CFFEX moves an expiry that falls on a holiday to the
  // next trading day ("遇国家法定假日顺延").
  Date first_trading_day_on_or_after(Date d) const;

 private:
  std::vector<Date> days_;
  std::vector<Date> holidays_;
};

}  // namespace stampede
