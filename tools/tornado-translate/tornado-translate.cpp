//===- tornado-translate.cpp - Tornado importers and emitters -------------===//

#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"
#include "tornado/Tools/ToolSupport.h"
#include "tornado/Translate/Translations.h"

int main(int argc, char **argv) {
  tornado::setUpToolCommandLine(
      {&tornado::getImportOptionCategory(), &tornado::getEmitOptionCategory()});
  tornado::registerTornadoTranslations();
  return mlir::failed(
      mlir::mlirTranslateMain(argc, argv, "Tornado translation driver\n"));
}
