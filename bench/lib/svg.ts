/**
 * The chart docs/benchmarks.md embeds, written as plain SVG: grouped bars of median req/s per case
 * and leg, then the ratios of issue 5 with their targets marked on each bar.
 */
import { CASES, RATIOS, type CaseId } from './cases'
import { legTitle, type BenchResults, type LegResult } from './results'

const COLORS = ['#d1495b', '#edae49', '#00798c', '#30638e', '#66a182', '#8d6a9f']
const WIDTH = 1200
const FONT = 'font-family="DejaVu Sans, Helvetica, Arial, sans-serif"'

export function renderSvg(results: BenchResults): string {
  const legs = results.legs.filter((leg) => leg.status === 'measured')
  const caseIds = (Object.keys(CASES) as CaseId[]).filter((id) => legs.some((leg) => leg.cases[id] !== undefined))
  const parts: string[] = []
  let y = 0

  parts.push(text(WIDTH / 2, 28, 'authotron-njs: requests per second with 1 nginx worker (median of interleaved rounds)', 18, 'middle', 'bold'))
  const m = results.machine
  parts.push(
    text(
      WIDTH / 2,
      48,
      `${results.date} · ${m.cpuModel}, ${m.nproc} cores, Linux ${m.kernel} · nginx worker pinned to core 0, wrk -t1 -c${results.options.connections} on core 1 · ${results.options.rounds} rounds × ${results.options.durationS} s`,
      11,
      'middle',
    ),
  )
  const runs = legs.flatMap((leg) => Object.values(leg.cases).flatMap((c) => c.runs))
  const disturbed = runs.filter((run) => run.disturbed).length
  if (disturbed > 0) {
    parts.push(text(WIDTH - 20, 74, `${disturbed} of ${runs.length} runs disturbed by other processes (see docs/benchmarks.md)`, 11, 'end', 'normal', '#cf222e'))
  }
  // Legend.
  legs.forEach((leg, i) => {
    const x = 80 + i * 260
    parts.push(`<rect x="${x}" y="62" width="14" height="14" fill="${COLORS[i % COLORS.length]}"/>`)
    parts.push(text(x + 20, 74, legTitle(leg), 12))
  })
  y = 90

  // Panel 1: req/s.
  const panel1 = { top: y + 20, height: 300, left: 70, right: WIDTH - 20 }
  const maxRps = Math.max(1, ...legs.flatMap((leg) => caseIds.map((id) => leg.cases[id]?.median?.rps ?? 0)))
  const top = niceCeil(maxRps * 1.12)
  parts.push(axis(panel1, top, (v) => `${Number((v / 1000).toFixed(1))}k`, 'req/s'))
  const groupWidth = (panel1.right - panel1.left) / caseIds.length
  const barWidth = Math.min(26, (groupWidth - 16) / Math.max(1, legs.length))
  caseIds.forEach((id, g) => {
    const gx = panel1.left + g * groupWidth + (groupWidth - barWidth * legs.length) / 2
    legs.forEach((leg, i) => {
      const x = gx + i * barWidth
      const c = leg.cases[id]
      const base = panel1.top + panel1.height
      if (c?.median === undefined) {
        parts.push(rotated(x + barWidth / 2 + 4, base - 4, c === undefined ? 'not run' : 'n/a', 9, '#999'))
        return
      }
      const h = (c.median.rps / top) * panel1.height
      parts.push(`<rect x="${x.toFixed(1)}" y="${(base - h).toFixed(1)}" width="${(barWidth - 2).toFixed(1)}" height="${h.toFixed(1)}" fill="${COLORS[i % COLORS.length]}"><title>${esc(`${leg.leg} ${id}: ${Math.round(c.median.rps)} req/s, p50 ${c.median.p50Ms} ms, p99 ${c.median.p99Ms} ms`)}</title></rect>`)
      parts.push(rotated(x + barWidth / 2 + 3, base - h - 4, `${(c.median.rps / 1000).toFixed(1)}k`, 9, '#222'))
    })
    parts.push(text(panel1.left + g * groupWidth + groupWidth / 2, panel1.top + panel1.height + 18, id, 12, 'middle', 'bold'))
  })
  y = panel1.top + panel1.height + 40

  // Panel 2: ratios with targets.
  parts.push(text(WIDTH / 2, y + 10, 'Ratios of issue 5 from req/s (bars) and from worker CPU per request (◇); black tick: target; ✓ pass, ✗ miss, – no target', 14, 'middle', 'bold'))
  const panel2 = { top: y + 40, height: 220, left: 70, right: WIDTH - 20 }
  const ratioValues = legs.flatMap((leg) => RATIOS.map((r) => Math.max(leg.ratios[r.id]?.value ?? 0, leg.ratios[r.id]?.target ?? 0, leg.ratios[r.id]?.cpuValue ?? 0)))
  const topRatio = niceCeil(Math.max(1, ...ratioValues) * 1.15)
  parts.push(axis(panel2, topRatio, (v) => v.toFixed(1), 'ratio'))
  const rGroup = (panel2.right - panel2.left) / RATIOS.length
  const rBar = Math.min(40, (rGroup - 30) / Math.max(1, legs.length))
  RATIOS.forEach((ratio, g) => {
    const gx = panel2.left + g * rGroup + (rGroup - rBar * legs.length) / 2
    const base = panel2.top + panel2.height
    legs.forEach((leg, i) => {
      const x = gx + i * rBar
      const r = leg.ratios[ratio.id]
      if (r?.value === undefined) {
        parts.push(rotated(x + rBar / 2 + 4, base - 4, 'n/a', 9, '#999'))
        return
      }
      const h = (r.value / topRatio) * panel2.height
      parts.push(`<rect x="${x.toFixed(1)}" y="${(base - h).toFixed(1)}" width="${(rBar - 3).toFixed(1)}" height="${h.toFixed(1)}" fill="${COLORS[i % COLORS.length]}"><title>${esc(`${leg.leg} ${ratio.id} = ${r.value.toFixed(3)}${r.target === undefined ? '' : `, target ≥ ${r.target}: ${r.verdict}`}`)}</title></rect>`)
      if (r.target !== undefined) {
        const ty = base - (r.target / topRatio) * panel2.height
        parts.push(`<line x1="${(x - 2).toFixed(1)}" x2="${(x + rBar - 1).toFixed(1)}" y1="${ty.toFixed(1)}" y2="${ty.toFixed(1)}" stroke="#000" stroke-width="2.5"/>`)
      }
      if (r.cpuValue !== undefined) {
        const cy = base - (Math.min(r.cpuValue, topRatio) / topRatio) * panel2.height
        const cx = x + rBar / 2 - 1.5
        parts.push(`<path d="M${cx.toFixed(1)} ${(cy - 5).toFixed(1)} l5 5 l-5 5 l-5 -5 z" fill="#fff" stroke="#000" stroke-width="1.2"><title>${esc(`${leg.leg} ${ratio.id} from worker CPU per request: ${r.cpuValue.toFixed(3)}`)}</title></path>`)
      }
      const mark = r.verdict === 'pass' ? '✓' : r.verdict === 'miss' ? '✗' : '–'
      const color = r.verdict === 'pass' ? '#1a7f37' : r.verdict === 'miss' ? '#cf222e' : '#666'
      const labelY = Math.min(base - h, r.target === undefined ? base - h : base - (r.target / topRatio) * panel2.height) - 6
      parts.push(text(x + rBar / 2 - 1, labelY, `${r.value.toFixed(2)} ${mark}`, 10, 'middle', 'bold', color))
    })
    parts.push(text(panel2.left + g * rGroup + rGroup / 2, base + 18, ratio.id, 12, 'middle', 'bold'))
  })
  y = panel2.top + panel2.height + 40
  parts.push(text(WIDTH / 2, y, `Generated by \`${results.command}\` · raw numbers: bench/results/${results.date}.json`, 11, 'middle', 'normal', '#555'))
  const height = y + 16
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" ${FONT}>`,
    `<rect width="${WIDTH}" height="${height}" fill="#fff"/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n')
}

function axis(panel: { top: number; height: number; left: number; right: number }, top: number, label: (v: number) => string, title: string): string {
  const out: string[] = []
  const steps = 5
  for (let i = 0; i <= steps; i++) {
    const v = (top / steps) * i
    const y = panel.top + panel.height - (v / top) * panel.height
    out.push(`<line x1="${panel.left}" x2="${panel.right}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" stroke="${i === 0 ? '#444' : '#e3e3e3'}"/>`)
    out.push(text(panel.left - 6, y + 4, label(v), 10, 'end'))
  }
  out.push(rotated(18, panel.top + panel.height / 2, title, 12, '#333', 'middle'))
  return out.join('\n')
}

function niceCeil(value: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(value))
  for (const step of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (step * magnitude >= value) return step * magnitude
  return 10 * magnitude
}

function text(x: number, y: number, content: string, size: number, anchor = 'start', weight = 'normal', fill = '#222'): string {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" font-size="${size}" text-anchor="${anchor}" font-weight="${weight}" fill="${fill}">${esc(content)}</text>`
}

function rotated(x: number, y: number, content: string, size: number, fill: string, anchor = 'start'): string {
  return `<text transform="translate(${x.toFixed(1)},${y.toFixed(1)}) rotate(-90)" font-size="${size}" text-anchor="${anchor}" fill="${fill}">${esc(content)}</text>`
}

function esc(textValue: string): string {
  return textValue.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

export type { LegResult }
