# -*- Python -*-
import os

import lit.formats
from lit.llvm import llvm_config

config.name = "TORNADO"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".yaml", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.tornado_obj_root, "test")
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%python", config.python_executable))
config.substitutions.append(("%src_root", config.tornado_src_root))
shared = os.path.normpath(os.path.join(config.tornado_src_root, "..", "shared"))
config.substitutions.append(("%shared", shared))
if os.path.isdir(os.path.join(shared, "conformance")):
    config.available_features.add("shared-corpus")
# Debian's chromium renders the memory-map pictures (tests needing it are
# UNSUPPORTED without it).
import shutil
chromium = shutil.which("chromium")
if chromium:
    config.available_features.add("chromium")
    config.substitutions.append(("%chromium", chromium))

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

tool_dirs = [config.tornado_tools_dir, config.llvm_tools_dir]
tools = ["tornado-opt", "tornado-translate", "tornado-run", "tornado-emit", "tornadoc"]
llvm_config.add_tool_substitutions(tools, tool_dirs)
