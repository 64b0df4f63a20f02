// $err.class, $err.level, $err.info, $err.rcode, $err.rreason: what went
// wrong before error_route ran (OpenSIPS's err_info), zero/null otherwise.
export interface ErrInfo {
  eclass: number;
  level: number;
  info: string;
  rcode: number;
  rreason: string;
}

const PARSER = 1; // OSER_EC_PARSER
const ASSERT = 4; // OSER_EC_ASSERT
const CRITIC = 1; // OSER_EL_CRITIC
const MEDIUM = 3; // OSER_EL_MEDIUM

/** What a lazy header parser sets when a script function makes it fail (parse_privacy.c, parse_contact.c...). */
export function parserError(info: string, rreason: string): ErrInfo {
  return { eclass: PARSER, level: MEDIUM, info, rcode: 400, rreason };
}

/** A failed assert() with enable_asserts on (action.c). */
export const ASSERT_FAILED: ErrInfo = {
  eclass: ASSERT,
  level: CRITIC,
  info: 'assertion failed',
  rcode: 500,
  rreason: 'server error',
};

/** The parser's error info for a problem in a received request, by the header it is about (msg_parser.c). */
export function parseErrorInfo(problem: string): ErrInfo {
  const about = (info: string, rreason: string): ErrInfo => ({
    eclass: PARSER,
    level: MEDIUM,
    info,
    rcode: 400,
    rreason,
  });
  if (/\bVia\b/i.test(problem)) return about('error parsing Via', 'bad Via header');
  if (/\bCSeq\b/i.test(problem)) return about('error parsing CSeq', 'bad CSeq header');
  if (/\bTo header\b/.test(problem)) return about('error parsing To header', 'bad header');
  if (/Content-Length/i.test(problem)) return about('error parsing Content-Length', 'bad Content-Length header');
  return about('error parsing headers', 'bad headers');
}
