// Plugins' own protos, for server reflection. A plugin may hand the host a
// serialized google.protobuf.FileDescriptorSet of the files its service
// uses (PluginDescriptor.file_descriptor_set). This checks a set against the
// methods the plugin serves and against every file the server already
// knows, and keeps the accepted files in one pool with the compiled-in
// protos, which the reflection service answers from
// (docs/decisions/0019-plugin-reflection.md).
#ifndef RETAIN_CORE_PLUGIN_HOST_PLUGIN_SCHEMAS_H_
#define RETAIN_CORE_PLUGIN_HOST_PLUGIN_SCHEMAS_H_

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/descriptor_database.h"

namespace retain::plugin_host {

class PluginSchemas {
 public:
  PluginSchemas();
  ~PluginSchemas();
  PluginSchemas(const PluginSchemas&) = delete;
  PluginSchemas& operator=(const PluginSchemas&) = delete;

  // Accepts `plugin`'s set, making its new files visible in pool() and the
  // services of `methods` (full names, "/pkg.Service/Method") in
  // services(); or adds nothing and says why (INVALID_ARGUMENT) when:
  //  - the bytes are not a FileDescriptorSet with files, a file imports one
  //    the set lacks, or the files do not build together;
  //  - a method in `methods` is not in the set, or streams;
  //  - a file has the name of one the server (or an earlier plugin) has,
  //    with other content, or a new file defines a symbol that another file
  //    already defines;
  //  - a new file declares a retain.* package other than the plugin's own
  //    retain.plugins.<plugin>.v1 (or below it).
  // Files identical to known ones (google/protobuf/timestamp.proto, or a
  // plugin's own generated code already registered in the process) are
  // shared, not conflicts.
  // Not thread-safe: add every set before the pool is read concurrently.
  absl::Status Add(const std::string& plugin,
                   const std::string& file_descriptor_set,
                   const std::vector<std::string>& methods);

  // The compiled-in protos and every accepted plugin file. Lookups are
  // thread-safe.
  const google::protobuf::DescriptorPool& pool() const { return *pool_; }
  // Full names of the services of plugins whose sets were accepted.
  std::vector<std::string> services() const {
    return {services_.begin(), services_.end()};
  }

 private:
  // Where a known file comes from, for messages: "the server" or a plugin.
  std::string OwnerOf(const std::string& file) const;
  // The set's files the server does not have yet, once none conflicts
  // with what it has.
  absl::Status NewFiles(
      const std::string& plugin, const google::protobuf::FileDescriptorSet& set,
      const google::protobuf::DescriptorPool& alone,
      std::vector<const google::protobuf::FileDescriptorProto*>* fresh);

  google::protobuf::DescriptorPoolDatabase compiled_;
  google::protobuf::SimpleDescriptorDatabase accepted_;
  google::protobuf::MergedDescriptorDatabase known_;
  std::unique_ptr<google::protobuf::DescriptorPool> pool_;
  std::map<std::string, std::string> plugin_of_file_;
  // Every symbol of an accepted file -> that file. The database's own index
  // covers top-level names only, not enum values in a package's scope.
  std::map<std::string, std::string> symbol_file_;
  std::set<std::string> services_;
};

}  // namespace retain::plugin_host

#endif  // RETAIN_CORE_PLUGIN_HOST_PLUGIN_SCHEMAS_H_
