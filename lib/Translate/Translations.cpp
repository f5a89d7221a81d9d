//===- Translations.cpp - Register Tornado translations --------------------===//

#include "tornado/Translate/Translations.h"

void tornado::registerTornadoTranslations() {}
