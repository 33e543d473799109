/// <reference types="vite/client" />
declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}
declare module 'sm-crypto' {
  export const sm2: {
    doVerifySignature(
      msg: string | number[],
      signHex: string,
      publicKey: string,
      options?: { der?: boolean; hash?: boolean; userId?: string; publicKey?: string },
    ): boolean;
  };
}
