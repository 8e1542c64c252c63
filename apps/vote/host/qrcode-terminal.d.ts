declare module 'qrcode-terminal' {
  /** qrcode-terminal is CommonJS: its functions hang off the default export. */
  const qrcode: {
    /** Renders `text` as a QR code with block characters and passes it to `callback`. */
    generate(text: string, options: { small?: boolean }, callback: (qr: string) => void): void
  }
  export default qrcode
}
