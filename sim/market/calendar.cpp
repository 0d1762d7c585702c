#include "sim/market/calendar.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace stampede {
using namespace std::chrono;

std::optional<Date> parse_iso_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  for (std::size_t k : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u})
    if (text[k] < '0' || text[k] > '9') return std::nullopt;
  int y = 0;
  unsigned m = 0, d = 0;
  auto ok = [](std::from_chars_result r, const char* end) { return r.ec == std::errc{} && r.ptr == end; };
  if (!ok(std::from_chars(text.data(), text.data() + 4, y), text.data() + 4)) return std::nullopt;
  if (!ok(std::from_chars(text.data() + 5, text.data() + 7, m), text.data() + 7)) return std::nullopt;
  if (!ok(std::from_chars(text.data() + 8, text.data() + 10, d), text.data() + 10)) return std::nullopt;
  Date date{year{y}, month{m}, day{d}};
  if (!date.ok()) return std::nullopt;
  return date;
}

std::string to_iso(Date d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                static_cast<unsigned>(d.day()));
  return buf;
}

int days_between(Date from, Date to) { return static_cast<int>((sys_days{to} - sys_days{from}).count()); }

Date third_friday(year y, month m) { return Date{year_month_weekday{y, m, weekday_indexed{Friday, 3}}}; }

TradingCalendar::TradingCalendar(Date start, int count, const std::vector<Date>& holidays) : holidays_(holidays) {
  std::sort(holidays_.begin(), holidays_.end());
  days_.reserve(static_cast<std::size_t>(count));
  for (sys_days d{start}; static_cast<int>(days_.size()) < count; d += days{1}) {
    weekday wd{d};
    if (wd == Saturday || wd == Sunday || is_holiday(Date{d})) continue;
    days_.push_back(Date{d});
  }
}

bool TradingCalendar::is_holiday(Date d) const { return std::binary_search(holidays_.begin(), holidays_.end(), d); }

Date TradingCalendar::first_trading_day_on_or_after(Date d) const {
  sys_days s{d};
  for (;;) {
    weekday wd{s};
    if (wd != Saturday && wd != Sunday && !is_holiday(Date{s})) return Date{s};
    s += days{1};
  }
}

}  // namespace stampede
