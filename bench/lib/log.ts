/** The bench's progress lines, on stdout (the tables go there too). */
export const log = (line: string) => process.stdout.write(`${line}\n`)
