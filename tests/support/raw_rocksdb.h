// Test support: a store's RocksDB opened directly, every column family by name, to damage or
// inspect what pith::Store keeps (for tests of corruption and format checks).
#pragma once

#include <rocksdb/db.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace pith::testing {

using RawFamilies = std::map<std::string, rocksdb::ColumnFamilyHandle*>;

// Opens the RocksDB database of the (closed) store at `dir`, runs `fn`, closes it. False when it
// cannot be opened.
inline bool WithRawRocksDb(const std::string& dir, const std::function<void(rocksdb::DB*, const RawFamilies&)>& fn) {
  std::vector<std::string> names;
  if (!rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &names).ok()) return false;
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : names) descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  if (!rocksdb::DB::Open(rocksdb::DBOptions(), dir, descriptors, &handles, &db).ok()) return false;
  RawFamilies families;
  for (size_t i = 0; i < names.size(); ++i) families[names[i]] = handles[i];
  fn(db, families);
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
  delete db;
  return true;
}

}  // namespace pith::testing
