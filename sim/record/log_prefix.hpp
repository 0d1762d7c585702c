#pragma once
// Internal to stampede_record: a resumed run's log starts as the first days of the log it
// resumes (RunLogPrefix, run_log.hpp). Every growing dataset of the freshly laid-out file takes
// the rows of those days from the same dataset of the old one: step-axis rows up to the prefix's
// steps, day-axis rows up to its days, event rows up to the counts the checkpoint recorded. Which
// axis a dataset grows along is read from the dimension scale attached to its first axis.
#include <hdf5.h>

#include "sim/record/run_log.hpp"

namespace stampede::record_detail {

// Copies the prefix into `file` (freshly laid out, no rows yet). Throws h5::Error or
// std::runtime_error naming the dataset that does not fit.
void copy_log_prefix(hid_t file, const RunLogPrefix& prefix);

}  // namespace stampede::record_detail
