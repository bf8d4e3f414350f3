/**
 * @class modules
 * @attack A default export that is a Proxy around a function, whose apply trap inspects what
 *   the engine passes in (the arguments, `this`, new.target) and returns them.
 * @expect {"status":"completed","output":{"argc":2,"thisIsUndefined":true,"input":{"x":1}}}
 * @input {"x":1}
 */
export default new Proxy(async () => {}, {
  apply(target, self, args) {
    return { argc: args.length, thisIsUndefined: self === undefined, input: args[0] };
  },
});
