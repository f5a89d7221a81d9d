//===- IdeFiles.cpp - VS Code and Eclipse project files -------------------===//
//
// MSDK examples open in VS Code (the MSDK's "VSCode-Maxim" layout: a
// .vscode folder whose settings.json names the target, board and tool
// locations, with build/flash/debug tasks that run the MSDK Makefile and
// OpenOCD) and in Eclipse (a CDT makefile project with an OpenOCD debug
// launch). These are Tornado's own renderings of those conventions.
//
//===----------------------------------------------------------------------===//

#include "ProjectFiles.h"

#include "tornado/Target/Device.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/raw_ostream.h"

using namespace tornado;
using namespace tornado::emit;

namespace {

/// The definitions the project compiles with (command line, then the
/// core's defaults), as the IDEs' code models should see them.
std::vector<std::string> projectDefines(hw::ProgramOp program) {
  std::vector<std::string> out;
  if (std::optional<mlir::ArrayAttr> defines = program.getDefines())
    for (llvm::StringRef d : defines->getAsValueRange<mlir::StringAttr>())
      out.push_back(d.str());
  return out;
}

std::string quoteList(llvm::ArrayRef<std::string> items, llvm::StringRef indent) {
  std::string s;
  for (size_t i = 0; i < items.size(); ++i)
    s += (indent + "\"" + items[i] + "\"" + (i + 1 < items.size() ? ",\n" : "\n"))
             .str();
  return s;
}

/// Include folders of the MSDK a project of this device uses.
std::vector<std::string> msdkIncludes(llvm::StringRef root,
                                      llvm::StringRef target,
                                      llvm::StringRef board) {
  std::string libs = (root + "/Libraries").str();
  return {"${workspaceFolder}",
          libs + "/Boards/" + target.str() + "/Include",
          libs + "/Boards/" + target.str() + "/" + board.str() + "/Include",
          libs + "/CMSIS/Device/Maxim/" + target.str() + "/Include",
          libs + "/CMSIS/Include",
          libs + "/PeriphDrivers/Include/" + target.str()};
}

} // namespace

std::vector<std::pair<std::string, std::string>>
tornado::emit::vscodeFiles(hw::ProgramOp program) {
  std::string target = program.getDevice().str();
  bool riscv = program.getRiscv();
  std::vector<std::pair<std::string, std::string>> files;

  std::vector<std::string> includes =
      msdkIncludes("${config:MAXIM_PATH}", "${config:target}", "${config:board}");
  std::string settings;
  {
    llvm::raw_string_ostream os(settings);
    os << "{\n"
       << "    \"target\": \"" << target << "\",\n"
       << "    \"board\": \"" << program.getBoard() << "\",\n"
       << "    \"project_name\": \"${workspaceFolderBasename}\",\n"
       << "    \"MAXIM_PATH\": \"\",\n"
       // RISC-V builds link both cores' images into one ELF.
       << "    \"program_file\": \"${config:project_name}"
       << (riscv ? "-combined" : "") << ".elf\",\n"
       << "    \"symbol_file\": \""
       << (riscv ? "${config:project_name}.elf" : "${config:program_file}")
       << "\",\n"
       << "    \"M4_OCD_interface_file\": \"cmsis-dap.cfg\",\n"
       << "    \"M4_OCD_target_file\": \"${config:target}.cfg\",\n"
       << "    \"RV_OCD_interface_file\": \"ftdi/olimex-arm-usb-ocd-h.cfg\",\n"
       << "    \"RV_OCD_target_file\": \"${config:target}_riscv.cfg\",\n"
       << "    \"v_Arm_GCC\": \"10.3\",\n"
       << "    \"v_xPack_GCC\": \"12.2.0-3.1\",\n"
       << "    \"OCD_path\": \"${config:MAXIM_PATH}/Tools/OpenOCD\",\n"
       << "    \"ARM_GCC_path\": "
          "\"${config:MAXIM_PATH}/Tools/GNUTools/${config:v_Arm_GCC}\",\n"
       << "    \"xPack_GCC_path\": "
          "\"${config:MAXIM_PATH}/Tools/xPack/riscv-none-elf-gcc/"
          "${config:v_xPack_GCC}\",\n"
       << "    \"Make_path\": \"${config:MAXIM_PATH}/Tools/MSYS2/usr/bin\",\n"
       << "    \"terminal.integrated.env.linux\": {\n"
       << "        \"PATH\": \"${config:OCD_path}:${config:ARM_GCC_path}/bin:"
          "${config:xPack_GCC_path}/bin:${env:PATH}\",\n"
       << "        \"MAXIM_PATH\": \"${config:MAXIM_PATH}\"\n"
       << "    },\n"
       << "    \"C_Cpp.default.includePath\": [\n"
       << quoteList(includes, "        ") << "    ],\n"
       << "    \"C_Cpp.default.browse.path\": [\n"
       << quoteList(includes, "        ") << "    ],\n"
       << "    \"C_Cpp.default.defines\": [\n"
       << quoteList(projectDefines(program), "        ") << "    ],\n"
       << "    \"C_Cpp.default.forcedInclude\": [\n"
       << "        \"${workspaceFolder}/build/project_defines.h\"\n"
       << "    ]\n"
       << "}\n";
  }
  files.push_back({".vscode/settings.json", settings});

  files.push_back({".vscode/c_cpp_properties.json", R"({
    "configurations": [
        {
            "name": "MSDK",
            "includePath": ["${default}"],
            "browse": {"path": ["${default}"]},
            "defines": ["${default}"],
            "forcedInclude": ["${default}"],
            "compilerPath": "${config:ARM_GCC_path}/bin/arm-none-eabi-gcc",
            "cStandard": "c11",
            "intelliSenseMode": "gcc-arm"
        }
    ],
    "version": 4
}
)"});

  std::string make =
      "make -r -j 8 --output-sync=target --no-print-directory "
      "TARGET=${config:target} BOARD=${config:board} "
      "MAXIM_PATH=${config:MAXIM_PATH} MAKE=make "
      "PROJECT=${config:project_name}";
  auto flash = [&](llvm::StringRef macro) {
    return "arm-none-eabi-gdb --cd=\\\"${workspaceFolder}\\\" "
           "--se=\\\"build/${config:program_file}\\\" "
           "--symbols=build/${config:symbol_file} -x .vscode/flash.gdb "
           "-ex \\\"" +
           macro.str() +
           " ${config:OCD_path} ${config:M4_OCD_interface_file} "
           "${config:M4_OCD_target_file}\\\" -batch";
  };
  std::string tasks;
  {
    llvm::raw_string_ostream os(tasks);
    auto task = [&](llvm::StringRef label, llvm::StringRef command,
                    bool last = false) {
      os << "        {\n"
         << "            \"label\": \"" << label << "\",\n"
         << "            \"type\": \"shell\",\n"
         << "            \"command\": \"" << command << "\",\n"
         << "            \"group\": \"build\",\n"
         << "            \"problemMatcher\": [\"$gcc\"]\n"
         << "        }" << (last ? "\n" : ",\n");
    };
    os << "{\n    \"version\": \"2.0.0\",\n    \"tasks\": [\n";
    task("build", make + " all");
    task("clean", make + " clean");
    task("clean-periph", make + " distclean");
    task("flash", flash("flash_m4"));
    task("flash & run", flash("flash_m4_run"));
    task("erase flash",
         "openocd -s ${config:OCD_path}/scripts -f "
         "interface/${config:M4_OCD_interface_file} -f "
         "target/${config:M4_OCD_target_file} -c \\\"init; reset halt; "
         "max32xxx mass_erase 0;\\\" -c exit");
    task("openocd (m4)",
         "openocd -s ${config:OCD_path}/scripts -f "
         "interface/${config:M4_OCD_interface_file} -f "
         "target/${config:M4_OCD_target_file} -c \\\"init; reset halt\\\"",
         true);
    os << "    ]\n}\n";
  }
  files.push_back({".vscode/tasks.json", tasks});

  files.push_back({".vscode/flash.gdb", R"(# Flash the program through OpenOCD (used by the flash tasks).
# Arguments: OpenOCD folder, interface script, target script.
define flash_m4
  set confirm off
  target remote | $arg0/openocd -s $arg0/scripts -f interface/$arg1 -f target/$arg2 -c "gdb_port pipe; log_output flash.log"
  set $pc = Reset_Handler
  load
  compare-sections
  monitor reset halt
end

define flash_m4_run
  flash_m4 $arg0 $arg1 $arg2
  monitor resume
end
)"});

  files.push_back({".vscode/launch.json", R"({
    "version": "0.2.0",
    "configurations": [
        {
            "name": "Debug Arm, Cortex-Debug",
            "type": "cortex-debug",
            "request": "launch",
            "servertype": "openocd",
            "cwd": "${workspaceFolder}",
            "executable": "${workspaceFolder}/build/${config:program_file}",
            "serverpath": "${config:OCD_path}/openocd",
            "searchDir": ["${config:OCD_path}/scripts"],
            "configFiles": ["interface/${config:M4_OCD_interface_file}",
                            "target/${config:M4_OCD_target_file}"],
            "runToEntryPoint": "main",
            "svdFile": "${config:MAXIM_PATH}/Libraries/CMSIS/Device/Maxim/${config:target}/Include/${config:target}.svd"
        },
        {
            "name": "GDB Arm M4",
            "type": "cppdbg",
            "request": "launch",
            "program": "${workspaceFolder}/build/${config:program_file}",
            "cwd": "${workspaceFolder}",
            "MIMode": "gdb",
            "miDebuggerPath": "${config:ARM_GCC_path}/bin/arm-none-eabi-gdb",
            "debugServerPath": "${config:OCD_path}/openocd",
            "debugServerArgs": "-s ${config:OCD_path}/scripts -f interface/${config:M4_OCD_interface_file} -f target/${config:M4_OCD_target_file} -c \"init; reset halt\"",
            "serverStarted": "Info : Listening on port 3333 for gdb connections",
            "setupCommands": [
                {"text": "-target-select remote localhost:3333"},
                {"text": "monitor reset halt"},
                {"text": "set $pc = Reset_Handler"}
            ]
        },
        {
            "name": "GDB RISC-V",
            "type": "cppdbg",
            "request": "launch",
            "program": "${workspaceFolder}/buildrv/${config:project_name}.elf",
            "cwd": "${workspaceFolder}",
            "MIMode": "gdb",
            "miDebuggerPath": "${config:xPack_GCC_path}/bin/riscv-none-elf-gdb",
            "debugServerPath": "${config:OCD_path}/openocd",
            "debugServerArgs": "-s ${config:OCD_path}/scripts -f interface/${config:RV_OCD_interface_file} -f target/${config:RV_OCD_target_file} -c \"init\"",
            "serverStarted": "Info : Listening on port 3334 for gdb connections",
            "setupCommands": [{"text": "-target-select remote localhost:3334"}]
        }
    ]
}
)"});

  files.push_back({".vscode/README.md", "# VS Code project\n\n"
                                        "Set `MAXIM_PATH` in `settings.json` "
                                        "to the MSDK's root, then run the "
                                        "`build` and `flash & run` tasks; "
                                        "`target` and `board` select the "
                                        "chip and the board support "
                                        "package.\n"});
  return files;
}

std::vector<std::pair<std::string, std::string>>
tornado::emit::eclipseFiles(hw::ProgramOp program) {
  std::string name = program.getSymName().str();
  std::string target = program.getDevice().str();
  std::string targetLc = llvm::StringRef(target).lower();
  bool riscv = program.getRiscv();
  std::vector<std::pair<std::string, std::string>> files;

  files.push_back({".project", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                               "<projectDescription>\n"
                               "  <name>" +
                                   name + R"(</name>
  <comment></comment>
  <projects></projects>
  <buildSpec>
    <buildCommand>
      <name>org.eclipse.cdt.managedbuilder.core.genmakebuilder</name>
      <triggers>clean,full,incremental,</triggers>
      <arguments></arguments>
    </buildCommand>
    <buildCommand>
      <name>org.eclipse.cdt.managedbuilder.core.ScannerConfigBuilder</name>
      <triggers>full,incremental,</triggers>
      <arguments></arguments>
    </buildCommand>
  </buildSpec>
  <natures>
    <nature>org.eclipse.cdt.core.cnature</nature>
    <nature>org.eclipse.cdt.managedbuilder.core.managedBuildNature</nature>
    <nature>org.eclipse.cdt.managedbuilder.core.ScannerConfigNature</nature>
  </natures>
</projectDescription>
)"});

  std::string includes;
  for (const std::string &dir :
       msdkIncludes("${MAXIM_PATH}", "${TARGET}", "${BOARD}"))
    if (dir != "${workspaceFolder}")
      includes += "                  <listOptionValue builtIn=\"false\" "
                  "value=\"&quot;" +
                  dir + "&quot;\"/>\n";
  if (std::optional<llvm::StringRef> extra = program.getEclipseIncludes())
    includes += "                  " + extra->str() + "\n";
  files.push_back({".cproject", R"(<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<?fileVersion 4.0.0?><cproject storage_type_id="org.eclipse.cdt.core.XmlProjectDescriptionStorage">
  <storageModule moduleId="org.eclipse.cdt.core.settings">
    <cconfiguration id="cdt.managedbuild.toolchain.gnu.cross.base.tornado">
      <storageModule buildSystemId="org.eclipse.cdt.managedbuilder.core.configurationDataProvider" id="cdt.managedbuild.toolchain.gnu.cross.base.tornado" moduleId="org.eclipse.cdt.core.settings" name="Default">
        <externalSettings/>
        <extensions>
          <extension id="org.eclipse.cdt.core.ELF" point="org.eclipse.cdt.core.BinaryParser"/>
          <extension id="org.eclipse.cdt.core.GCCErrorParser" point="org.eclipse.cdt.core.ErrorParser"/>
          <extension id="org.eclipse.cdt.core.GmakeErrorParser" point="org.eclipse.cdt.core.ErrorParser"/>
        </extensions>
      </storageModule>
      <storageModule moduleId="cdtBuildSystem" version="4.0.0">
        <configuration artifactName="${ProjName}" buildProperties="" description="" id="cdt.managedbuild.toolchain.gnu.cross.base.tornado" name="Default" parent="org.eclipse.cdt.build.core.emptycfg">
          <folderInfo id="cdt.managedbuild.toolchain.gnu.cross.base.tornado.folder" name="/" resourcePath="">
            <toolChain id="cdt.managedbuild.toolchain.gnu.cross.base.tornado.toolchain" name="Cross GCC" superClass="cdt.managedbuild.toolchain.gnu.cross.base">
              <targetPlatform archList="all" binaryParser="org.eclipse.cdt.core.ELF" id="cdt.managedbuild.targetPlatform.gnu.cross.tornado" isAbstract="false" osList="all" superClass="cdt.managedbuild.targetPlatform.gnu.cross"/>
              <builder buildPath="${workspace_loc:/)" + name + R"(}" id="cdt.managedbuild.builder.gnu.cross.tornado" keepEnvironmentInBuildfile="false" managedBuildOn="false" arguments="-r -j 8" name="Gnu Make Builder" superClass="cdt.managedbuild.builder.gnu.cross"/>
              <tool id="cdt.managedbuild.tool.gnu.cross.c.compiler.tornado" name="Cross GCC Compiler" superClass="cdt.managedbuild.tool.gnu.cross.c.compiler">
                <option id="gnu.c.compiler.option.include.paths.tornado" name="Include paths -I" superClass="gnu.c.compiler.option.include.paths" useByScannerDiscovery="false" valueType="includePath">
)" + includes + R"(                </option>
                <inputType id="cdt.managedbuild.tool.gnu.c.compiler.input.tornado" superClass="cdt.managedbuild.tool.gnu.c.compiler.input"/>
              </tool>
              <tool id="cdt.managedbuild.tool.gnu.cross.c.linker.tornado" name="Cross GCC Linker" superClass="cdt.managedbuild.tool.gnu.cross.c.linker"/>
              <tool id="cdt.managedbuild.tool.gnu.cross.archiver.tornado" name="Cross GCC Archiver" superClass="cdt.managedbuild.tool.gnu.cross.archiver"/>
              <tool id="cdt.managedbuild.tool.gnu.cross.assembler.tornado" name="Cross GCC Assembler" superClass="cdt.managedbuild.tool.gnu.cross.assembler"/>
            </toolChain>
          </folderInfo>
        </configuration>
      </storageModule>
      <storageModule moduleId="org.eclipse.cdt.core.externalSettings"/>
    </cconfiguration>
  </storageModule>
  <storageModule moduleId="cdtBuildSystem" version="4.0.0">
    <project id=")" + name + R"(.cdt.managedbuild.target.gnu.cross.exe" name="Executable" projectType="cdt.managedbuild.target.gnu.cross.exe"/>
  </storageModule>
</cproject>
)"});

  // The build's environment: the MSDK Makefile reads these.
  files.push_back(
      {".settings/org.eclipse.cdt.core.prefs",
       "eclipse.preferences.version=1\n"
       "environment/project/cdt.managedbuild.toolchain.gnu.cross.base."
       "tornado/BOARD/delimiter=\\:\n"
       "environment/project/cdt.managedbuild.toolchain.gnu.cross.base."
       "tornado/BOARD/operation=append\n"
       "environment/project/cdt.managedbuild.toolchain.gnu.cross.base."
       "tornado/BOARD/value=" +
           program.getBoard().str() +
           "\n"
           "environment/project/cdt.managedbuild.toolchain.gnu.cross.base."
           "tornado/GCC_PREFIX/operation=replace\n"
           "environment/project/cdt.managedbuild.toolchain.gnu.cross.base."
           "tornado/GCC_PREFIX/value=" +
           (riscv ? "riscv-none-elf-" : "arm-none-eabi-") +
           "\n"
           "environment/project/cdt.managedbuild.toolchain.gnu.cross.base."
           "tornado/PROJECT/operation=append\n"
           "environment/project/cdt.managedbuild.toolchain.gnu.cross.base."
           "tornado/PROJECT/value=" +
           name +
           "\n"
           "environment/project/cdt.managedbuild.toolchain.gnu.cross.base."
           "tornado/TARGET/operation=append\n"
           "environment/project/cdt.managedbuild.toolchain.gnu.cross.base."
           "tornado/TARGET/value=" +
           target +
           "\n"
           "environment/project/cdt.managedbuild.toolchain.gnu.cross.base."
           "tornado/append=true\n"
           "environment/project/cdt.managedbuild.toolchain.gnu.cross.base."
           "tornado/appendContributed=true\n"});

  std::string flags;
  for (const std::string &d : projectDefines(program))
    flags += " -D" + d;
  flags += riscv ? " -DRV32" : " -DARM_MATH_CM4";
  files.push_back({".settings/language.settings.xml",
                   R"(<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<project>
  <configuration id="cdt.managedbuild.toolchain.gnu.cross.base.tornado" name="Default">
    <extension point="org.eclipse.cdt.core.LanguageSettingsProvider">
      <provider copy-of="extension" id="org.eclipse.cdt.ui.UserLanguageSettingsProvider"/>
      <provider-reference id="org.eclipse.cdt.core.ReferencedProjectsLanguageSettingsProvider" ref="shared-provider"/>
      <provider-reference id="org.eclipse.cdt.managedbuilder.core.MBSLanguageSettingsProvider" ref="shared-provider"/>
      <provider class="org.eclipse.cdt.managedbuilder.language.settings.providers.GCCBuiltinSpecsDetector" console="false" id="org.eclipse.cdt.managedbuilder.core.GCCBuiltinSpecsDetector" keep-relative-paths="false" name="CDT GCC Built-in Compiler Settings" parameter="${COMMAND} ${FLAGS} -E -P -v -dD &quot;${INPUTS}&quot;)" +
                       flags + R"(" prefer-non-shared="true"/>
    </extension>
  </configuration>
</project>
)"});

  std::string openocd = program.getOpenocdArgs()
                            ? program.getOpenocdArgs()->str()
                            : "-f interface/cmsis-dap.cfg -f target/" +
                                  targetLc + ".cfg";
  std::string elf = name + (riscv ? "-combined" : "") + ".elf";
  auto attr = [](llvm::StringRef type, llvm::StringRef key,
                 llvm::StringRef value) {
    std::string escaped;
    for (char c : value)
      switch (c) {
      case '&': escaped += "&amp;"; break;
      case '<': escaped += "&lt;"; break;
      case '>': escaped += "&gt;"; break;
      case '"': escaped += "&quot;"; break;
      default: escaped += c;
      }
    return ("  <" + type + "Attribute key=\"" + key + "\" value=\"" +
            escaped + "\"/>\n")
        .str();
  };
  std::string launch =
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
      "<launchConfiguration "
      "type=\"ilg.gnumcueclipse.debug.gdbjtag.openocd.launchConfigurationType"
      "\">\n" +
      attr("boolean", "ilg.gnumcueclipse.debug.gdbjtag.openocd.doStartGdbServer",
           "true") +
      attr("string", "ilg.gnumcueclipse.debug.gdbjtag.openocd.gdbServerExecutable",
           "${TOOLCHAIN_PATH}/OpenOCD/openocd") +
      attr("string", "ilg.gnumcueclipse.debug.gdbjtag.openocd.gdbServerOther",
           "-s ${TOOLCHAIN_PATH}/OpenOCD/scripts " + openocd) +
      attr("int", "ilg.gnumcueclipse.debug.gdbjtag.openocd.gdbServerGdbPortNumber",
           "3333") +
      attr("int",
           "ilg.gnumcueclipse.debug.gdbjtag.openocd.gdbServerTelnetPortNumber",
           "4444") +
      attr("string", "ilg.gnumcueclipse.debug.gdbjtag.svdPath",
           "${MAXIM_PATH}/Libraries/CMSIS/Device/Maxim/" + target +
               "/Include/" + targetLc + ".svd") +
      attr("string", "org.eclipse.cdt.debug.mi.core.DEBUG_NAME",
           "${TOOLCHAIN_PATH}/bin/arm-none-eabi-gdb") +
      attr("string", "org.eclipse.cdt.launch.PROGRAM_NAME", "build/" + elf) +
      attr("string", "org.eclipse.cdt.launch.PROJECT_ATTR", name) +
      attr("boolean", "org.eclipse.cdt.debug.gdbjtag.core.setStopAt", "true") +
      attr("string", "org.eclipse.cdt.debug.gdbjtag.core.stopAt", "main") +
      attr("string", "org.eclipse.cdt.debug.gdbjtag.core.initCommands",
           "set mem inaccessible-by-default off") +
      "</launchConfiguration>\n";
  files.push_back({name + ".launch", launch});
  return files;
}
