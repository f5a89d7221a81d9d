//===- Translations.h - Tornado translations --------------------*- C++ -*-===//

#ifndef TORNADO_TRANSLATE_TRANSLATIONS_H
#define TORNADO_TRANSLATE_TRANSLATIONS_H

namespace tornado {

/// Registers every importer (`--import-yaml`, ...) and emitter (`--emit-c`)
/// with mlir-translate's registry.
void registerTornadoTranslations();

} // namespace tornado

#endif // TORNADO_TRANSLATE_TRANSLATIONS_H
