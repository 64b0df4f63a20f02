// Time recurrences as OpenSIPS 3.3's time_rec.c evaluates them (check_time_rec,
// drouting): single recurrences, time zones, BYxxx lists, the &, /, ! operators,
// parse errors, and the 3.3 quirks a cfg's routing depends on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkTimeRec, checkTimeRecExpr } from '../../src/modules/common/timerec.js';

const at = (iso: string) => Date.parse(iso) / 1000;
const WORKDAYS = 'UTC|20210104T080000|20210104T180000||WEEKLY|||MO,TU,WE,TH,FR';

test('a one-off interval: [dtstart, dtend)', () => {
  const rec = 'UTC|20210104T080000|20210104T180000';
  assert.equal(checkTimeRec(rec, at('2021-01-04T12:00:00Z')), 1);
  assert.equal(checkTimeRec(rec, at('2021-01-04T18:00:00Z')), -1, 'dtend is outside');
  assert.equal(checkTimeRec(rec, at('2021-01-04T07:59:59Z')), -1);
  assert.equal(checkTimeRec(rec, at('2021-01-05T12:00:00Z')), -1, 'no FREQ: it does not recur');
});

test('weekly on working days, 08:00-18:00', () => {
  assert.equal(checkTimeRec(WORKDAYS, at('2021-03-10T09:00:00Z')), 1, 'a Wednesday morning');
  assert.equal(checkTimeRec(WORKDAYS, at('2021-03-13T09:00:00Z')), -1, 'a Saturday');
  assert.equal(checkTimeRec(WORKDAYS, at('2021-03-10T19:00:00Z')), -1, 'after hours');
  assert.equal(checkTimeRec(WORKDAYS, at('2020-12-30T09:00:00Z')), -1, 'before dtstart');
});

test('the time zone field: New York office hours checked at UTC instants', () => {
  const ny = 'America/New_York|20210104T090000|20210104T170000||WEEKLY|||MO,TU,WE,TH,FR';
  assert.equal(checkTimeRec(ny, at('2021-03-10T14:30:00Z')), 1, '09:30 EST');
  assert.equal(checkTimeRec(ny, at('2021-03-10T13:30:00Z')), -1, '08:30 EST');
  assert.equal(checkTimeRec(ny, at('2021-07-07T13:30:00Z')), 1, '09:30 EDT: daylight saving time applies');
});

test('monthly on the last Friday (-1FR), with until', () => {
  const rec = 'UTC|20210101T000000|20210101T235959||MONTHLY|20211231T235959||-1FR';
  assert.equal(checkTimeRec(rec, at('2021-03-26T12:00:00Z')), 1, 'the last Friday of March 2021');
  assert.equal(checkTimeRec(rec, at('2021-03-19T12:00:00Z')), -1, 'a Friday, not the last');
  assert.equal(checkTimeRec(rec, at('2022-03-25T12:00:00Z')), -1, 'after until');
});

test('yearly BYMONTH and BYMONTHDAY: Christmas Day', () => {
  const rec = 'UTC|20200101T000000|||YEARLY||||25|||12';
  assert.equal(checkTimeRec(rec, at('2023-12-25T10:00:00Z')), 1);
  assert.equal(checkTimeRec(rec, at('2023-12-24T10:00:00Z')), -1);
  assert.equal(checkTimeRec(rec, at('2023-11-25T10:00:00Z')), -1);
});

test('expressions: & with !, / (or), parentheses', () => {
  const lunch = 'UTC|20210104T120000|20210104T140000||WEEKLY|||MO,TU,WE,TH,FR';
  const open = `${WORKDAYS} & !${lunch}`;
  assert.equal(checkTimeRecExpr(open, at('2021-03-10T09:00:00Z')), 1);
  assert.equal(checkTimeRecExpr(open, at('2021-03-10T13:00:00Z')), -1, 'lunch break');
  const holidays = '(UTC|20210427T000000|20210428T000000 / UTC|20211227T000000|20211228T000000)';
  assert.equal(checkTimeRecExpr(`${WORKDAYS} & !${holidays}`, at('2021-04-27T09:00:00Z')), -1, "King's Day");
  assert.equal(checkTimeRecExpr(`${WORKDAYS} & !${holidays}`, at('2021-04-28T09:00:00Z')), 1);
  assert.equal(checkTimeRecExpr(`!${WORKDAYS}`, at('2021-03-13T09:00:00Z')), 1);
});

test('parse errors give -2: bad dates, FREQ-less recurrence parts, mixed operators, bad parentheses', () => {
  assert.equal(checkTimeRec('UTC|2021|20210104T180000', 0), -2);
  assert.equal(checkTimeRec('UTC|20210104T080000|20210104T180000|||||MO', 0), -2, 'BYDAY without FREQ');
  assert.equal(checkTimeRec('UTC|19600104T080000', 0), -2, 'a year before 1970');
  assert.equal(checkTimeRecExpr(`${WORKDAYS} & ${WORKDAYS} / ${WORKDAYS}`, 0), -2, 'one operator kind per level');
  assert.equal(checkTimeRecExpr(`(${WORKDAYS}`, 0), -2);
  assert.equal(checkTimeRecExpr(`${WORKDAYS} &`, 0), -2, 'a missing operand');
});

test('3.3 quirks kept: INTERVAL adds its digits ("10" is 1), an empty recurrence always matches', () => {
  // Every 10th day would not match the day after dtstart; 3.3 reads the interval as 1 + 0 = 1.
  const rec = 'UTC|20210101T000000|20210101T235959||DAILY||10';
  assert.equal(checkTimeRec(rec, at('2021-01-02T12:00:00Z')), 1);
  assert.equal(
    checkTimeRec('UTC|20210101T000000|20210101T235959||DAILY||2', at('2021-01-02T12:00:00Z')),
    -1,
    'a real interval of 2 skips a day',
  );
  assert.equal(checkTimeRec('UTC|20210101T000000|20210101T235959||DAILY||2', at('2021-01-03T12:00:00Z')), 1);
  assert.equal(checkTimeRec('', 0), 1);
});
