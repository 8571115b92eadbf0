// RenderSweepSvg: a self-contained SVG chart of a concurrency sweep, two
// panels stacked: throughput (req/s) vs concurrency above, p99 latency (ms)
// vs concurrency below, with labelled axes and ticks. Concurrency steps are
// spaced evenly (a x2 sweep therefore reads as a log2 axis), each step
// labelled with its value. Opens in any browser.
//
// Thread-safety: a pure function.
#ifndef REMOTEK_TOOLS_LOAD_SVG_CHART_H_
#define REMOTEK_TOOLS_LOAD_SVG_CHART_H_

#include <string>

#include "tools/load/report.h"

namespace remotek::load {

// Starts with "<svg"; the series are <g id="throughput"> and <g id="p99">.
std::string RenderSweepSvg(const RunReport& report);

}  // namespace remotek::load

#endif  // REMOTEK_TOOLS_LOAD_SVG_CHART_H_
