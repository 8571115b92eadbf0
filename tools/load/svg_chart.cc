// The sweep chart (see svg_chart.h). Plain SVG 1.1 elements only, so it
// renders the same in every browser without scripts or fonts.
#include "tools/load/svg_chart.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace remotek::load {
namespace {

constexpr double kWidth = 760;
constexpr double kPanelHeight = 280;
constexpr double kLeft = 90;  // room for tick labels and the y title
constexpr double kRight = 30;
constexpr double kTop = 50;     // room for the panel title
constexpr double kBottom = 50;  // room for tick labels and the x title

// The smallest 1, 2 or 5 x 10^k at or above `v` (and above 0).
double NiceCeiling(double v) {
  if (!(v > 0)) return 1;
  const double magnitude = std::pow(10.0, std::floor(std::log10(v)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * magnitude >= v * (1 - 1e-9)) return m * magnitude;
  }
  return 10 * magnitude;
}

std::string Escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '<') {
      out += "&lt;";
    } else if (c == '>') {
      out += "&gt;";
    } else if (c == '&') {
      out += "&amp;";
    } else {
      out += c;
    }
  }
  return out;
}

std::string TickLabel(double v) {
  if (v == 0) return "0";
  if (std::fabs(v) >= 100) return absl::StrFormat("%.0f", v);
  if (std::fabs(v) >= 1) return absl::StrFormat("%.4g", v);
  return absl::StrFormat("%.3g", v);
}

// One panel: axes, ticks, grid, titles and the series as a polyline with a
// dot (and a <title> tooltip) per step.
std::string Panel(const RunReport& report, double top, const std::string& id,
                  const std::string& title, const std::string& y_title,
                  const char* color,
                  const std::function<double(const RunStats&)>& value) {
  const double plot_top = top + kTop;
  const double plot_bottom = top + kPanelHeight - kBottom;
  const double plot_left = kLeft;
  const double plot_right = kWidth - kRight;
  const size_t n = report.steps.size();
  double max_value = 0;
  for (const RunStats& s : report.steps)
    max_value = std::max(max_value, value(s));
  const double y_max = NiceCeiling(max_value);
  auto x_at = [&](size_t i) {
    return n <= 1 ? (plot_left + plot_right) / 2
                  : plot_left + 30 +
                        (plot_right - plot_left - 60) * static_cast<double>(i) /
                            static_cast<double>(n - 1);
  };
  auto y_at = [&](double v) {
    return plot_bottom - (plot_bottom - plot_top) * v / y_max;
  };

  std::string out;
  absl::StrAppendFormat(
      &out,
      "<text x=\"%.1f\" y=\"%.1f\" font-size=\"15\" font-weight=\"bold\">%s"
      "</text>\n",
      plot_left, top + 28, Escape(title));
  // Horizontal grid lines and y ticks at fifths of the nice maximum.
  for (int k = 0; k <= 5; ++k) {
    const double v = y_max * k / 5;
    const double y = y_at(v);
    absl::StrAppendFormat(
        &out,
        "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
        "stroke=\"#ddd\"/>\n"
        "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
        "stroke=\"#000\"/>\n"
        "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%s"
        "</text>\n",
        plot_left, y, plot_right, y, plot_left - 5, y, plot_left, y,
        plot_left - 8, y + 4, TickLabel(v));
  }
  // x ticks: one per concurrency step.
  for (size_t i = 0; i < n; ++i) {
    const double x = x_at(i);
    absl::StrAppendFormat(
        &out,
        "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
        "stroke=\"#000\"/>\n"
        "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\">%d"
        "</text>\n",
        x, plot_bottom, x, plot_bottom + 5, x, plot_bottom + 18,
        report.steps[i].concurrency);
  }
  // Axes and their titles.
  absl::StrAppendFormat(
      &out,
      "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
      "stroke=\"#000\"/>\n"
      "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
      "stroke=\"#000\"/>\n"
      "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\" "
      "text-anchor=\"middle\">concurrency "
      "(requests in flight)</text>\n"
      "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\" text-anchor=\"middle\" "
      "transform=\"rotate(-90 %.1f %.1f)\">%s</text>\n",
      plot_left, plot_bottom, plot_right, plot_bottom, plot_left, plot_top,
      plot_left, plot_bottom, (plot_left + plot_right) / 2, plot_bottom + 38,
      22.0, (plot_top + plot_bottom) / 2, 22.0, (plot_top + plot_bottom) / 2,
      Escape(y_title));
  // The series.
  std::string points;
  std::string dots;
  for (size_t i = 0; i < n; ++i) {
    const double v = value(report.steps[i]);
    absl::StrAppendFormat(&points, "%s%.1f,%.1f", i == 0 ? "" : " ", x_at(i),
                          y_at(v));
    absl::StrAppendFormat(
        &dots,
        "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\">"
        "<title>concurrency %d: %s</title></circle>\n",
        x_at(i), y_at(v), color, report.steps[i].concurrency, TickLabel(v));
  }
  absl::StrAppendFormat(
      &out,
      "<g id=\"%s\">\n<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" "
      "points=\"%s\"/>\n%s</g>\n",
      id, color, points, dots);
  return out;
}

}  // namespace

std::string RenderSweepSvg(const RunReport& report) {
  const double height = 2 * kPanelHeight + 30;
  std::string out = absl::StrFormat(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" "
      "height=\"%.0f\" "
      "viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\">\n"
      "<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n"
      "<text x=\"%.1f\" y=\"20\" font-size=\"13\" fill=\"#444\">remotek-load "
      "sweep: %s "
      "against %s</text>\n",
      kWidth, height, kWidth, height, kLeft, Escape(report.scenario),
      Escape(report.address));
  absl::StrAppend(
      &out, Panel(report, 10, "throughput", "Throughput", "throughput (req/s)",
                  "#1f77b4", [](const RunStats& s) { return s.qps(); }));
  absl::StrAppend(
      &out, Panel(report, 10 + kPanelHeight, "p99", "p99 latency",
                  "p99 latency (ms)", "#d62728", [](const RunStats& s) {
                    return static_cast<double>(s.latency.Percentile(99)) / 1e6;
                  }));
  absl::StrAppend(&out, "</svg>\n");
  return out;
}

}  // namespace remotek::load
