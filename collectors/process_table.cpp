#include "collectors/process_table.h"

namespace vitals::collectors {

bool ProcessTable::Shareable(const Cursor& cursor,
                             std::chrono::steady_clock::time_point now) const {
  return last_ && !last_expired_ && cursor.seen < last_->generation &&
         now - last_->taken <= max_age_;
}

std::shared_ptr<const ProcessPass> ProcessTable::Share(Cursor& cursor) {
  std::lock_guard lock(mutex_);
  if (!Shareable(cursor, std::chrono::steady_clock::now())) {
    return nullptr;
  }
  cursor.seen = last_->generation;
  return last_;
}

std::shared_ptr<ProcessPass> ProcessTable::Begin() {
  std::lock_guard lock(mutex_);
  // Reuse the last pass's storage when no consumer still holds it: at 2,000
  // processes it is ~0.5 MB that would otherwise be freed and faulted in
  // again on every scrape.
  if (last_ && last_.use_count() == 1) {
    auto pass = std::move(last_);
    pass->processes.clear();
    return pass;
  }
  return std::make_shared<ProcessPass>();
}

void ProcessTable::ReadEntry(int pid, ProcessEntry& entry, std::string& buffer) const {
  entry.pid = pid;
  auto stat = procfs::ReadPidStat(proc_, pid, buffer);
  if (stat) {
    entry.stat = std::move(*stat);
    entry.error.reset();
  } else {
    entry.stat = {};
    entry.error = std::make_unique<procfs::Error>(stat.error());
  }
}

void ProcessTable::Publish(std::shared_ptr<ProcessPass> pass, Cursor& cursor,
                           std::chrono::steady_clock::time_point started) {
  std::lock_guard lock(mutex_);
  pass->generation = ++generation_;
  pass->taken = started;
  cursor.seen = pass->generation;
  last_ = std::move(pass);
  last_expired_ = false;
}

procfs::Result<std::shared_ptr<const ProcessPass>> ProcessTable::Read(Cursor& cursor) {
  // Under one lock: a consumer that arrives while a pass is being made waits
  // for it and takes it instead of making another.
  std::lock_guard read_lock(read_mutex_);
  if (auto shared = Share(cursor)) {
    return shared;
  }
  const auto started = std::chrono::steady_clock::now();
  auto pids = proc_.Pids();
  if (!pids) {
    return pids.error();
  }
  auto pass = Begin();
  pass->processes.resize(pids->size());
  std::size_t n = 0;
  for (int pid : *pids) {
    ReadEntry(pid, pass->processes[n++], buffer_);
  }
  std::shared_ptr<const ProcessPass> out = pass;
  Publish(std::move(pass), cursor, started);
  return out;
}

void ProcessTable::Expire() {
  std::lock_guard lock(mutex_);
  last_expired_ = true;
}

std::uint64_t ProcessTable::passes() const {
  std::lock_guard lock(mutex_);
  return generation_;
}

}  // namespace vitals::collectors
