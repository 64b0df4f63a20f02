// `npm run editors:grammar`: writes the VS Code extension's TextMate grammar from the lexer's tokens.
import { writeFileSync } from 'node:fs';
import { textMateSource } from '../grammar/textmate.js';

writeFileSync(new URL('../editors/vscode/syntaxes/opensips.tmLanguage.json', import.meta.url), textMateSource());
console.log('wrote editors/vscode/syntaxes/opensips.tmLanguage.json');
